"""A sync function scheduled on the loop (``loop.call_soon(f)``) runs while the loop runs: its calls
under a guard that is false there are not reported. (Not a fixture: stripping ``async`` from a
fixture keeps loop callbacks on the loop, which the fuzz properties forbid.)"""

from __future__ import annotations

from pathlib import Path

from conftest import FIXTURES, findings_of, project_findings, project_markers

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


def test_a_helper_that_says_a_loop_runs_decides_guards_in_other_modules() -> None:
    """tests/fixtures/loop_helpers_app: ``is_event_loop_running()`` imported by name, called through
    its module, and through another helper of a third module (N7); the single-module cases are
    tests/fixtures/precision_loop_helpers.py."""
    app = FIXTURES / "loop_helpers_app"
    found = sorted((f.path, f.line, f.code) for f in project_findings(app, "tools"))
    assert found == project_markers(app)


def test_editing_the_helper_replans_its_callers(project) -> None:
    """A cached plan that read a helper's value on the loop is redone when the helper changes,
    two modules away from the coroutine."""
    import json

    from click.testing import CliRunner

    from loopguard.cli import cli

    def lines() -> list[tuple[str, int]]:
        result = CliRunner().invoke(cli, ["check", "--output-format", "json", "app"], catch_exceptions=False)
        return [(f["path"], f["line"]) for f in json.loads(result.stdout)]

    running = "import asyncio\n\ndef running():\n    try:\n        asyncio.get_running_loop()\n" \
        "    except RuntimeError:\n        return False\n    return {}\n"
    root = project({
        "app/__init__.py": "",
        "app/loops.py": running.format("True"),
        "app/work.py": "import time\nfrom app.loops import running\n\n"
        "def work():\n    if not running():\n        time.sleep(1)\n",
        "app/api.py": "from app.work import work\n\nasync def handler():\n    work()\n",
    })
    assert lines() == []
    (root / "app/loops.py").write_text(running.format("False"))
    assert lines() == [("app/api.py", 4)]
    (root / "app/loops.py").write_text(running.format("True"))
    assert lines() == []
