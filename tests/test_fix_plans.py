"""The fixes of the findings are planned in the confirm stage, with them (issue 13): the report
describes them without parsing the files again, and says exactly what planning them afterwards
says — for every output format that shows fixes, with or without a cache, and for the findings the
``# noqa`` stage adds or removes."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from loopguard import fix_command, runner
from loopguard.analysis.stages import make_settings
from loopguard.atomic_source_write import read_source_file
from loopguard.cli import cli
from loopguard.config import Config
from loopguard.fix_command import available_fixes
from loopguard.jobs import make_jobs

FIXES = Path(__file__).parent / "fixtures" / "fixes"

#: a direct safe fix, an unsafe one, a transitive one, a finding without a fix, a noqa comment
#: used and one unused (LG021 is a finding the noqa stage adds: it was not planned with the others)
MIXED = (
    "import time\nimport requests\n\n\ndef helper():\n    time.sleep(1)\n\n\n"
    "async def handler(url):\n    time.sleep(1)\n    requests.get(url, timeout=3)\n    helper()\n"
    "    open('x').read()\n    time.sleep(2)  # noqa: LG101\n    requests.get(url)  # noqa: LG101\n"
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["check", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for fixture in FIXES.glob("*.py"):
        if not fixture.name.endswith(".fixed.py"):
            shutil.copy(fixture, tmp_path / fixture.name)
    (tmp_path / "mixed.py").write_text(MIXED)
    (tmp_path / "pyproject.toml").write_text('[tool.loopguard]\nselect = ["LG", "LG021"]\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def planned_afterwards(monkeypatch: pytest.MonkeyPatch, call: Callable[[], Any]) -> Any:
    """``call`` with nothing planned in the confirm stage: every fix planned after the check, as
    before."""
    with monkeypatch.context() as patched:
        patched.setattr(runner, "_planned_fixes", lambda text, findings: None)
        return call()


@pytest.mark.parametrize(
    "args",
    [
        ("--no-cache", "--output-format", "json"),
        ("--no-cache", "--output-format", "sarif"),
        ("--no-cache",),
        ("--no-cache", "--unsafe-fixes"),
        ("--no-cache", "--show-fixes", "--output-format", "full"),
        ("--output-format", "json"),  # cold with a cache: the plans are stored for the warm run
    ],
    ids=["json", "sarif", "text", "text-unsafe", "full", "json-cached"],
)
def test_the_report_is_the_same_as_when_the_fixes_are_planned_afterwards(
    files: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    expected = planned_afterwards(monkeypatch, lambda: run(*args, "--cache-dir", str(files / "before"), "."))
    got = run(*args, "--cache-dir", str(files / "after"), ".")
    assert got == expected and got[0] == 1


def test_describing_the_fixes_parses_no_file_again(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    described = []
    real_describe = fix_command.describe_fixes

    def describe(*args: Any, **kwargs: Any) -> Any:
        described.append(True)
        return real_describe(*args, **kwargs)

    real_plan = __import__("loopguard.fixes", fromlist=["plan_fixes"]).plan_fixes

    def plan(*args: Any, **kwargs: Any) -> Any:
        assert not described, "a file was parsed again to describe its fixes"
        return real_plan(*args, **kwargs)

    monkeypatch.setattr(fix_command, "describe_fixes", describe)  # imported when used
    monkeypatch.setattr("loopguard.fixes.plan_fixes", plan)
    status, out, _ = run("--no-cache", "--output-format", "json", ".")
    assert status == 1 and described and '"applicability": "safe"' in out


def test_a_fix_planned_with_its_finding_is_the_one_planned_after_the_check(files: Path) -> None:
    config = Config(root=files)
    jobs = make_jobs(sorted(files.glob("*.py")), files, files)
    plans: runner.FixPlans = {}
    results = runner.check_jobs(jobs, make_settings(config), 1, root=files, fix_plans=plans)
    reported = [result for result in results if result.findings]
    assert reported and set(plans) == {result.path for result in reported}
    for result in reported:
        text = read_source_file(files / result.path).text
        planned = {f: fix for f, fix in plans[result.path].items() if fix is not None}
        assert planned == available_fixes(text, result.findings, config)


def test_without_fix_plans_asked_for_none_are_made(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def must_not_plan(text: str, findings: Any) -> None:
        raise AssertionError("planned without being asked")

    monkeypatch.setattr(runner, "_planned_fixes", must_not_plan)
    jobs = make_jobs(sorted(files.glob("*.py")), files, files)
    results = runner.check_jobs(jobs, make_settings(Config(root=files)), 1, root=files)
    assert any(result.findings for result in results)
    status, _, _ = run("--no-cache", "--output-format", "github", ".")  # a format without fixes
    assert status == 1
