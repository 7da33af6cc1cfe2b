"""Sleeping and waiting (LG1xx)."""

from loopguard.models import Rule

RULES = (
    Rule(
        code="LG101",
        name="blocking-sleep",
        domain="sleeping and waiting",
        summary="`time.sleep` in a coroutine.",
        functions=("time.sleep",),
        instead={
            "asyncio": "await asyncio.sleep(...)",
            "anyio": "await anyio.sleep(...)",
            "trio": "await trio.sleep(...)",
        },
        why="`time.sleep` suspends the whole thread, so no other task on the event loop runs until it returns.",
        example="async def poll():\n    time.sleep(1)",
        use_instead="async def poll():\n    await asyncio.sleep(1)",
        fix_safety="Rewriting to `await asyncio.sleep(...)` is safe where `await` is legal; the `await` is required.",
    ),
)
