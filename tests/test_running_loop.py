"""A sync function scheduled on the loop (``loop.call_soon(f)``) runs while the loop runs: its calls
under a guard that is false there are not reported. (Not a fixture: stripping ``async`` from a
fixture keeps loop callbacks on the loop, which the fuzz properties forbid.)"""

from __future__ import annotations

from pathlib import Path

from conftest import findings_of

CALLBACK = """\
import asyncio


async def hook() -> None: ...


def scheduled() -> None:
    loop = asyncio.get_event_loop()
    if not loop.is_running():
        loop.run_until_complete(hook())
    if loop.is_closed():
        asyncio.run(hook())
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(hook())
    if loop.is_running():
        asyncio.run(hook())


async def schedule() -> None:
    asyncio.get_running_loop().call_soon(scheduled)
"""


def test_a_loop_callback_skips_the_branches_that_need_no_running_loop(tmp_path: Path) -> None:
    source = tmp_path / "callback.py"
    source.write_text(CALLBACK, encoding="utf-8")
    findings = findings_of(source, cwd=tmp_path)
    assert [(f.line, f.code) for f in findings] == [(18, "LG107")]
