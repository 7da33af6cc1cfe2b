"""Files and the filesystem (LG5xx)."""

from loopguard.models import Rule


RULES = (
    Rule(
        code="LG501",
        name="blocking-open",
        domain="files and filesystem",
        summary="`open()`/`io.open()` of a file in a coroutine.",
        functions=("builtins.open", "io.open"),
        instead={
            "asyncio": "aiofiles.open(...) or await asyncio.to_thread(...)",
            "anyio": "await anyio.open_file(...)",
            "trio": "await trio.open_file(...)",
        },
        why="Opening, reading and writing a regular file are blocking system calls; on a slow or "
        "network filesystem they stall every task on the loop.",
        example="async def load(path):\n    with open(path) as f:\n        return f.read()",
        use_instead="async def load(path):\n    async with await anyio.open_file(path) as f:\n"
        "        return await f.read()",
    ),
)

