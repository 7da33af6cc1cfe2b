"""Processes and console input (LG6xx)."""

from loopguard.models import NonWaiting, Rule


def _no_hang(position: int) -> tuple[NonWaiting, ...]:
    """``os.waitpid(pid, os.WNOHANG)``: the options argument at ``position`` is, or includes
    (``os.WNOHANG | os.WUNTRACED``), ``os.WNOHANG``, so the call returns at once."""
    return (NonWaiting(position, "options", None, flag="os.WNOHANG"),)


RULES = (
    Rule(
        code="LG601",
        name="subprocess-call",
        domain="processes",
        summary="`subprocess` functions and `subprocess.Popen` in a coroutine.",
        functions=tuple(
            f"subprocess.{name}"
            for name in ("run", "call", "check_call", "check_output", "getoutput", "getstatusoutput", "Popen")
        ),
        methods=("subprocess.Popen.wait", "subprocess.Popen.communicate"),
        instead={
            "asyncio": "`await asyncio.create_subprocess_exec(...)` and `await proc.communicate()`",
            "anyio": "`await anyio.run_process(...)` (raises on a non-zero exit by default)",
            "trio": "`await trio.run_process(...)`",
        },
        why="The subprocess API starts the child and waits for it on the calling thread.",
        example=(
            "import subprocess\n\n\n"
            "async def version():\n"
            "    return subprocess.check_output(['git', 'describe'])"
        ),
        use_instead=(
            "import asyncio\n\n\n"
            "async def version():\n"
            "    proc = await asyncio.create_subprocess_exec(\n"
            "        'git', 'describe', stdout=asyncio.subprocess.PIPE)\n"
            "    out, _ = await proc.communicate()\n"
            "    return out"
        ),
        fix_safety="The switch to `anyio.run_process` is never made automatically: it raises on a non-zero "
        "exit status, unlike `subprocess.run`.",
    ),
    Rule(
        code="LG602",
        name="os-process-call",
        domain="processes",
        summary="`os.system`, `os.popen`, `os.spawn*` and `os.posix_spawn*`.",
        functions=tuple(
            f"os.{name}"
            for name in (
                "system", "popen", "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve",
                "spawnvp", "spawnvpe", "posix_spawn", "posix_spawnp",
            )
        ),
        instead={
            "asyncio": "`await asyncio.create_subprocess_shell(...)` "
            "/ `create_subprocess_exec(...)`",
            "anyio": "`await anyio.run_process(...)`",
            "trio": "`await trio.run_process(...)`",
        },
        why="These start a process and (for `system`, `spawn*` with `P_WAIT`) wait for it on the loop.",
        example=(
            "import os\n\n\n"
            "async def restart():\n"
            "    os.system('systemctl restart app')"
        ),
        use_instead=(
            "import asyncio\n\n\n"
            "async def restart():\n"
            "    proc = await asyncio.create_subprocess_shell('systemctl restart app')\n"
            "    await proc.wait()"
        ),
    ),
    Rule(
        code="LG603",
        name="os-wait",
        domain="processes",
        summary="`os.wait`, `os.wait3`, `os.wait4`, `os.waitid`, `os.waitpid`.",
        functions=tuple(f"os.{name}" for name in ("wait", "wait3", "wait4", "waitid", "waitpid")),
        instead={
            "asyncio": "`await proc.wait()` on an asyncio subprocess, "
            "or `await asyncio.to_thread({api}, ...)`",
            "anyio": "`await anyio.to_thread.run_sync({api}, ...)`",
            "trio": "`await trio.to_thread.run_sync({api}, ...)`",
        },
        why="Waiting for a child process blocks until the child exits.",
        # os.wait() takes no options: it always waits
        non_waiting={"wait3": _no_hang(0), "wait4": _no_hang(1), "waitid": _no_hang(2), "waitpid": _no_hang(1)},
        example=(
            "import os\n\n\n"
            "async def reap(pid):\n"
            "    os.waitpid(pid, 0)"
        ),
        use_instead=(
            "import asyncio\n"
            "import os\n\n\n"
            "async def reap(pid):\n"
            "    await asyncio.to_thread(os.waitpid, pid, 0)"
        ),
    ),
    Rule(
        code="LG604",
        name="blocking-input",
        domain="processes",
        summary="Reading the terminal in a coroutine: `input()`, `getpass.getpass`, "
        "`sys.stdin.read/readline/readlines` (also on `sys.stdin.buffer`). "
        "Writing to `sys.stdout`/`sys.stderr` and `print` are not reported.",
        functions=(
            "builtins.input",
            "getpass.getpass",
            *(f"sys.{stream}.{m}" for stream in ("stdin", "stdin.buffer") for m in ("read", "readline", "readlines")),
        ),
        instead={
            "asyncio": "`await asyncio.to_thread(input, prompt)`",
            "anyio": "`await anyio.to_thread.run_sync(input, prompt)`",
            "trio": "`await trio.to_thread.run_sync(input, prompt)`",
        },
        why="These wait for a line (or the end) of standard input, however long the user takes.",
        example=(
            "async def confirm():\n"
            "    return input('continue? ') == 'y'"
        ),
        use_instead=(
            "import asyncio\n\n\n"
            "async def confirm():\n"
            "    return await asyncio.to_thread(input, 'continue? ') == 'y'"
        ),
    ),
)

