"""What each kind of fix does, as data: read by the fix planner (``fixes.py``) and by the rule
pages' "Fix safety" section (``ruledocs.py``), so the page says exactly what ``--fix`` does.

It imports nothing heavy: ``loopguard explain`` renders a page without loading libcst.
"""

from __future__ import annotations

from loopguard.models import Finding, Rule

#: The safe rewrites a catalogue entry may name in ``Rule.safe_fixes``, and what each does.
REWRITES = {
    "async-sleep": (
        "`{api}(x)` becomes `await asyncio.sleep(x)` (`await anyio.sleep(x)` / `await trio.sleep(x)` in a "
        "module that imports anyio / trio), and the import is added when it is missing. It is a safe fix "
        "where `await` is legal — in the coroutine's body and its expressions and async comprehensions — "
        "and is not offered inside a lambda, a nested sync `def` or a sync comprehension, where `await` "
        "is illegal or would change what the code builds. The `await` is what makes it work: "
        "`asyncio.sleep(x)` alone only creates a coroutine and waits for nothing."
    ),
    "await-coroutine": (
        "`{api}(coro)` becomes `await coro` (one argument, no keywords). It is a safe fix: called from a "
        "coroutine, `{api}` raises `RuntimeError` because a loop is already running in the thread, so "
        "the code it replaces never worked. Offered only where `await` is legal."
    ),
}

#: The unsafe fix of ``Rule.thread_fix``, per library (``{f}`` is the called function).
THREAD_FIX = {
    "asyncio": "await asyncio.to_thread({f}, *args, **kwargs)",
    "anyio": "await anyio.to_thread.run_sync({f}, *args)",
    "trio": "await trio.to_thread.run_sync({f}, *args)",
}

THREAD_FIX_TEXT = (
    "Unsafe fix (`--unsafe-fixes`): the call `f(*args, **kwargs)` — or the call of a project function "
    "that reaches it — becomes `await asyncio.to_thread(f, *args, **kwargs)`; in a module that uses "
    "anyio or trio, `await anyio.to_thread.run_sync(f, *args)` / `await trio.to_thread.run_sync(f, *args)`, "
    "with `functools.partial(f, *args, **kwargs)` when there are keyword arguments (their `run_sync` "
    "takes none for `f`). A method keeps its bound receiver (`to_thread(session.get, url)`). It is "
    "unsafe because the call then runs in a worker thread: the object it uses must be safe to use from "
    "another thread, and context variables are copied, not shared. It is not offered where `await` is "
    "illegal, for a call that is already awaited, entered with `with`, or iterated, and for an API "
    "whose result does the waiting later."
)


def fix_safety_text(rule: Rule) -> str:
    """The "Fix safety" section of a rule page: what ``--fix`` and ``--unsafe-fixes`` do with its
    findings, then the rule's own note."""
    parts = [f"Safe fix: {REWRITES[kind].format(api=api)}" for api, kind in rule.safe_fixes.items()]
    if rule.thread_fix:
        others = "Otherwise (another API, a call the safe fix does not cover):" if rule.safe_fixes else ""
        parts.append(f"{others} {THREAD_FIX_TEXT}".strip())
        if rule.lazy_results:
            lazy = ", ".join(f"`{api}`" for api in rule.lazy_results)
            parts.append(f"Not offered for {lazy}: the result does the waiting later, when it is used.")
    if not parts:
        parts.append("No automatic fix.")
    if rule.fix_safety:
        parts.append(rule.fix_safety)
    return "\n\n".join(parts)


def blocking_api(finding: Finding) -> str | None:
    """The API a direct finding calls: the last word of its ``root`` ("path:line api"); None for a
    transitive finding, whose call site calls a project function."""
    if finding.chain or not finding.root:
        return None
    return finding.root.rpartition(" ")[2]


def fix_may_exist(finding: Finding, rule: Rule | None) -> bool:
    """Whether the finding's rule has any fix at all (else the file need not be parsed)."""
    return rule is not None and (rule.thread_fix or blocking_api(finding) in rule.safe_fixes)
