"""``--fix``, ``--diff``, ``--unsafe-fixes``: snapshots, idempotence, and never losing a byte.

Each fixture in ``fixtures/fixes/`` has the output of ``--fix`` beside it as ``NAME.fixed.py``
(``unsafe_*`` fixtures with ``--unsafe-fixes`` too), compared byte for byte.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from loopguard import fix_command
from loopguard.apply_fixes import (
    MAX_ROUNDS,
    ChangedOnDisk,
    FixedText,
    apply_fixes,
    fix_text,
    line_starts,
    position_of,
    write_fixed,
)
from loopguard.atomic_source_write import read_source_file
from loopguard.catalogue import ALL_RULES
from loopguard.cli import cli
from loopguard.fixdata import REWRITES
from loopguard.models import SAFE, Edit, Finding, Fix

FIXES = Path(__file__).parent / "fixtures" / "fixes"
FIXTURES = sorted(p for p in FIXES.glob("*.py") if not p.name.endswith(".fixed.py"))


def run(*args: str, input: str | bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["check", "--no-cache", *args], input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def fix_flags(fixture: Path) -> list[str]:
    return ["--fix", "--unsafe-fixes"] if fixture.name.startswith("unsafe_") else ["--fix"]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_fix_output_matches_the_snapshot_and_a_second_fix_changes_nothing(fixture: Path, workdir: Path) -> None:
    target = workdir / fixture.name
    shutil.copyfile(fixture, target)
    run(*fix_flags(fixture), fixture.name)
    expected = fixture.with_name(fixture.stem + ".fixed.py").read_bytes()
    assert target.read_bytes() == expected
    _, out, _ = run(*fix_flags(fixture), fixture.name)
    assert target.read_bytes() == expected
    assert "Fixed" not in out
    compile(expected, fixture.name, "exec", dont_inherit=True)


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_diff_shows_the_fix_and_writes_nothing(fixture: Path, workdir: Path) -> None:
    shutil.copyfile(fixture, workdir / fixture.name)
    status, out, err = run("--diff", *fix_flags(fixture)[1:], fixture.name)
    assert status == 1
    assert out.startswith(f"--- {fixture.name}\n+++ {fixture.name}\n")
    assert (workdir / fixture.name).read_bytes() == fixture.read_bytes()
    assert err.startswith("Would fix ")


def test_diff_exits_zero_without_a_fix(workdir: Path) -> None:
    (workdir / "app.py").write_text("import asyncio\n\n\nasync def poll():\n    await asyncio.sleep(1)\n")
    assert run("--diff", "app.py") == (0, "", "No fixes to apply.\n")


SLEEPY = "import time\n\n\nasync def poll():\n    time.sleep(1)\n    time.sleep(2)\n"
SLEEPY_FIXED = "import time\nimport asyncio\n\n\nasync def poll():\n    await asyncio.sleep(1)\n    await asyncio.sleep(2)\n"


def test_the_import_is_added_once_and_the_summary_counts(workdir: Path) -> None:
    (workdir / "app.py").write_text(SLEEPY)
    status, out, _ = run("--fix", "--show-fixes", "app.py")
    assert (workdir / "app.py").read_text() == SLEEPY_FIXED
    assert status == 0
    assert out.splitlines() == [
        "All checks passed! (1 file checked)",
        "Fixed 2 findings (0 remaining).",
        "Fixed 2 findings:",
        "- app.py:",
        "    2 × LG101 (blocking-sleep)",
    ]


def test_the_summary_says_what_is_fixable_and_with_which_flag(workdir: Path) -> None:
    (workdir / "app.py").write_text(SLEEPY + "    open('x')\n")
    _, out, _ = run("app.py")
    assert out.splitlines()[-1] == (
        "[*] 2 fixable with the `--fix` option (1 hidden fix can be enabled with the `--unsafe-fixes` option)."
    )
    _, out, _ = run("--unsafe-fixes", "app.py")
    assert out.splitlines()[-1] == "[*] 3 fixable with the `--fix --unsafe-fixes` option."


def test_unfixable_and_fixable_choose_codes(workdir: Path) -> None:
    (workdir / "pyproject.toml").write_text('[tool.loopguard]\nunfixable = ["LG1"]\n')
    (workdir / "app.py").write_text(SLEEPY)
    status, _, _ = run("--fix", "app.py")
    assert status == 1 and (workdir / "app.py").read_text() == SLEEPY
    (workdir / "pyproject.toml").write_text('[tool.loopguard]\nunfixable = ["LG1"]\nfixable = ["LG101"]\n')
    run("--fix", "app.py")
    assert (workdir / "app.py").read_text() == SLEEPY_FIXED


@pytest.mark.parametrize(
    ("value", "message"),
    [('"LG101"', "'fixable' must be a list of code prefixes"), ('["XX1"]', "'fixable' has an invalid code prefix")],
)
def test_a_bad_fixable_setting_names_the_file_and_key(workdir: Path, value: str, message: str) -> None:
    (workdir / "pyproject.toml").write_text(f"[tool.loopguard]\nfixable = {value}\n")
    (workdir / "app.py").write_text(SLEEPY)
    status, _, err = run("--fix", "app.py")
    assert status == 2 and "pyproject.toml" in err and message in err
    assert (workdir / "app.py").read_text() == SLEEPY


def test_permissions_are_kept_and_a_symlink_stays_one(workdir: Path) -> None:
    real = workdir / "real.py"
    real.write_text(SLEEPY)
    real.chmod(0o640)
    (workdir / "link.py").symlink_to(real)
    run("--fix", "link.py")
    assert (workdir / "link.py").is_symlink()
    assert real.read_text() == SLEEPY_FIXED
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert [p.name for p in workdir.iterdir() if "loopguard" in p.name] == []  # no temporary left


def test_a_file_changed_on_disk_is_skipped_and_reported(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (workdir / "app.py").write_text(SLEEPY)
    real_fix_text = fix_command.fix_text

    def edited_meanwhile(*args: Any, **kwargs: Any) -> FixedText:
        outcome = real_fix_text(*args, **kwargs)
        (workdir / "app.py").write_text(SLEEPY + "# edited in the editor\n")
        return outcome

    monkeypatch.setattr(fix_command, "fix_text", edited_meanwhile)
    status, out, err = run("--fix", "app.py")
    assert status == 2
    assert "app.py: not fixed: the file changed on disk while it was checked" in err
    assert (workdir / "app.py").read_text() == SLEEPY + "# edited in the editor\n"
    assert "Found 2 blocking calls" in out


def test_a_file_saved_during_the_check_is_skipped_and_reported(workdir: Path) -> None:
    (workdir / "app.py").write_text(SLEEPY)
    later = os.stat(workdir / "app.py").st_mtime_ns + 3600 * 10**9
    os.utime(workdir / "app.py", ns=(later, later))  # as if saved after the run started
    status, _, err = run("--fix", "app.py")
    assert status == 2
    assert "app.py: not fixed: the file changed on disk while it was checked" in err
    assert (workdir / "app.py").read_text() == SLEEPY


def test_a_fix_that_breaks_the_code_is_refused(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (workdir / "app.py").write_text(SLEEPY)

    def broken(text: str, findings: Sequence[Finding], config: object) -> dict[Finding, Fix]:
        return {f: Fix(SAFE, "broken", (Edit(f.line, f.column, f.line, f.column, "("),)) for f in findings}

    monkeypatch.setattr(fix_command, "available_fixes", broken)
    status, _, err = run("--fix", "app.py")
    assert status == 2
    assert "app.py: not fixed, left as it was: the fixed code would not compile" in err
    assert (workdir / "app.py").read_text() == SLEEPY


def test_a_fix_that_leaves_its_finding_is_refused(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (workdir / "app.py").write_text(SLEEPY)

    def same_call(text: str, findings: Sequence[Finding], config: object) -> dict[Finding, Fix]:
        edit = "time.sleep( 1)"
        return {f: Fix(SAFE, "no-op", (Edit(f.line, f.column, f.end_line, f.end_column, edit),)) for f in findings}

    monkeypatch.setattr(fix_command, "available_fixes", same_call)
    status, _, err = run("--fix", "app.py")
    assert status == 2 and "did not remove it" in err
    assert (workdir / "app.py").read_text() == SLEEPY


LATIN1 = '# -*- coding: latin-1 -*-\n"""Caf\xe9."""\nimport time\n\n\nasync def pause():\n    time.sleep(1)  # d\xe9j\xe0 vu\n'
LATIN1_FIXED = (
    '# -*- coding: latin-1 -*-\n"""Caf\xe9."""\nimport time\nimport asyncio\n\n\n'
    "async def pause():\n    await asyncio.sleep(1)  # d\xe9j\xe0 vu\n"
)


def test_a_latin1_file_keeps_its_encoding(workdir: Path) -> None:
    # written here, not as a fixture: the fixture tests read every fixture as UTF-8
    (workdir / "app.py").write_bytes(LATIN1.encode("latin-1"))
    run("--fix", "app.py")
    assert (workdir / "app.py").read_bytes() == LATIN1_FIXED.encode("latin-1")


def test_the_call_that_blocks_is_wrapped_not_the_one_it_starts_with(workdir: Path) -> None:
    # `requests.Session()` and `.get(url)` start at the same column: the thread gets the `.get`
    source = "import requests\n\n\nasync def get(url):\n    return requests.Session().get(url)\n"
    (workdir / "app.py").write_text(source)
    run("--fix", "--unsafe-fixes", "app.py")
    assert (workdir / "app.py").read_text() == (
        "import requests\nimport asyncio\n\n\nasync def get(url):\n"
        "    return await asyncio.to_thread(requests.Session().get, url)\n"
    )


def test_chained_blocking_calls_are_both_moved_outermost_first(workdir: Path) -> None:
    source = "import boto3\n\n\nasync def buckets():\n    return boto3.client('s3').list_buckets()\n"
    (workdir / "app.py").write_text(source)
    status, _, _ = run("--fix", "--unsafe-fixes", "app.py")
    assert (workdir / "app.py").read_text() == (
        "import boto3\nimport asyncio\n\n\nasync def buckets():\n"
        "    return await asyncio.to_thread((await asyncio.to_thread(boto3.client, 's3')).list_buckets)\n"
    )
    assert status == 0


def test_a_comment_after_the_parenthesis_stays_once(workdir: Path) -> None:
    source = (
        "import requests\n\n\nasync def post(url):\n    return requests.post(  # why\n"
        "        url,\n        json={},  # body\n    )\n"
    )
    (workdir / "app.py").write_text(source)
    run("--fix", "--unsafe-fixes", "app.py")
    assert (workdir / "app.py").read_text() == (
        "import requests\nimport asyncio\n\n\nasync def post(url):\n"
        "    return await asyncio.to_thread(  # why\n        requests.post,\n"
        "        url,\n        json={},  # body\n    )\n"
    )


def test_a_bug_in_one_file_s_fix_does_not_stop_the_others(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (workdir / "bad.py").write_text(SLEEPY)
    (workdir / "good.py").write_text(SLEEPY)
    real = fix_command.available_fixes

    def failing(
        text: str, findings: Sequence[Finding], config: Any, memo: Any = None, planned: Any = None
    ) -> dict[Finding, Fix]:
        if findings and findings[0].path == "bad.py":
            raise KeyError("boom")
        return real(text, findings, config, memo, planned)

    monkeypatch.setattr(fix_command, "available_fixes", failing)
    status, out, err = run("bad.py", "good.py")
    assert status == 1 and "bad.py: internal error while planning fixes (KeyError: 'boom')" in err
    assert "Found 4 blocking calls" in out
    status, _, err = run("--fix", "bad.py", "good.py")
    assert status == 2 and "bad.py: not fixed: internal error while planning fixes" in err
    assert (workdir / "good.py").read_text() == SLEEPY_FIXED
    assert (workdir / "bad.py").read_text() == SLEEPY


def test_noqa_lines_are_never_touched(workdir: Path) -> None:
    source = "import time\n\n\nasync def poll():\n    time.sleep(1)  # noqa: LG201\n"
    (workdir / "app.py").write_text(source)
    run("--fix", "--unsafe-fixes", "app.py")
    assert (workdir / "app.py").read_text() == source


def test_stdin_fix_writes_the_fixed_source_to_stdout(workdir: Path) -> None:
    status, out, err = run("--fix", "--stdin-filename", "app.py", "-", input=SLEEPY)
    assert out == SLEEPY_FIXED
    assert "Fixed 2 findings (0 remaining)." in err
    assert status == 0
    assert not (workdir / "app.py").exists()


def test_stdin_without_a_fix_echoes_the_buffer(workdir: Path) -> None:
    clean = "import asyncio\n\n\nasync def poll():\n    await asyncio.sleep(1)\n"
    status, out, _ = run("--fix", "--stdin-filename", "app.py", "-", input=clean)
    assert (status, out) == (0, clean)


def test_json_and_sarif_describe_unsafe_fixes(workdir: Path) -> None:
    (workdir / "app.py").write_text("import requests\n\n\nasync def get(url):\n    return requests.get(url, timeout=3)\n")
    _, out, _ = run("--output-format", "json", "app.py")
    [finding] = json.loads(out)
    assert finding["fix"] == {
        "applicability": "unsafe",
        "message": "Run `requests.get` in a worker thread with `asyncio.to_thread`",
        "edits": [
            {"content": "await asyncio.to_thread(requests.get, url, timeout=3)",
             "location": {"row": 5, "column": 12}, "end_location": {"row": 5, "column": 40}},
            {"content": "import asyncio\n", "location": {"row": 2, "column": 1},
             "end_location": {"row": 2, "column": 1}},
        ],
    }
    _, out, _ = run("--output-format", "sarif", "app.py")
    [result] = json.loads(out)["runs"][0]["results"]
    [fix] = result["fixes"]
    assert fix["description"]["text"].endswith("(unsafe fix)")
    [change] = fix["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "app.py", "uriBaseId": "%SRCROOT%"}
    assert change["replacements"][0] == {
        "deletedRegion": {"startLine": 5, "startColumn": 12, "endLine": 5, "endColumn": 40},
        "insertedContent": {"text": "await asyncio.to_thread(requests.get, url, timeout=3)"},
    }


def test_a_real_subprocess_fixes_a_file(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SLEEPY)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "loopguard", "check", "--no-cache", "--fix", "app.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "app.py").read_text() == SLEEPY_FIXED


def test_fixing_every_check_fixture_keeps_it_compiling_and_a_second_fix_changes_nothing(workdir: Path) -> None:
    fixtures = sorted((Path(__file__).parent / "fixtures").glob("*.py"))
    for fixture in fixtures:
        shutil.copyfile(fixture, workdir / fixture.name)
    status, out, err = run("--fix", "--unsafe-fixes", ".")
    assert status == 1 and err == "", err  # findings remain (with, for, locks...); nothing failed
    fixed_count = int(out.split("Fixed ")[1].split(" ")[0])
    assert fixed_count > 300
    after = {p.name: p.read_bytes() for p in workdir.glob("*.py")}
    for name, data in after.items():
        compile(data, name, "exec", dont_inherit=True)
    _, out, _ = run("--fix", "--unsafe-fixes", ".")
    assert "Fixed" not in out
    assert {p.name: p.read_bytes() for p in workdir.glob("*.py")} == after


# -- units -----------------------------------------------------------------------------------------
def test_overlapping_fixes_apply_outermost_first() -> None:
    finding = Finding("a.py", 1, 1, 1, 8, "LG1", "n", "outer")
    inner = Finding("a.py", 1, 3, 1, 7, "LG1", "n", "inner")
    fixes = {
        inner: Fix(SAFE, "i", (Edit(1, 3, 1, 7, "G"), Edit(1, 1, 1, 1, "import x\n"))),
        finding: Fix(SAFE, "o", (Edit(1, 1, 1, 8, "OUTER"), Edit(1, 1, 1, 1, "import x\n"))),
    }
    applied = apply_fixes("f(g(x))\n", fixes)
    assert applied.text == "import x\nOUTER\n"
    assert [f.message for f, _ in applied.fixed] == ["outer"]


def test_the_fix_loop_is_bounded() -> None:
    # a planner that always finds one more fix: the loop stops after MAX_ROUNDS, keeping the rounds
    def plan(text: str, findings: Sequence[Finding]) -> dict[Finding, Fix]:
        finding = Finding("a.py", 1, 1, 1, 1, "LG101", "n", f"round {text.count('x')}")
        return {finding: Fix(SAFE, "more", (Edit(1, 1, 1, 1, "x"),))}

    outcome = fix_text("pass\n", (), plan, lambda text: ())
    assert outcome.error == ""
    assert outcome.text == "x" * MAX_ROUNDS + "pass\n"
    assert len(outcome.fixed) == MAX_ROUNDS


def test_positions_count_every_line_break_style() -> None:
    starts = line_starts("a\r\nbc\rd\ne")
    assert starts == [0, 3, 6, 8, 9]
    assert position_of(starts, 7) == (3, 2)


def test_write_fixed_refuses_changed_bytes(tmp_path: Path) -> None:
    target = tmp_path / "a.py"
    target.write_bytes(b"old = 1\n")
    source = read_source_file(target)
    target.write_bytes(b"new = 1\n")
    with pytest.raises(ChangedOnDisk):
        write_fixed(source, "fixed = 1\n")
    assert target.read_bytes() == b"new = 1\n"


def test_every_named_rewrite_exists_and_is_documented() -> None:
    for rule in ALL_RULES.values():
        assert set(rule.safe_fixes.values()) <= set(REWRITES), rule.code
        page = (Path(__file__).parents[1] / "docs" / "rules" / f"{rule.code}.md").read_text()
        if rule.safe_fixes:
            assert "Safe fix:" in page
        assert ("Unsafe fix (`--unsafe-fixes`)" in page) == rule.thread_fix


def test_rules_json_says_which_fixes_each_code_has() -> None:
    result = CliRunner().invoke(cli, ["rules", "--output-format", "json"])
    fixes = {rule["code"]: rule["fix"] for rule in json.loads(result.stdout)}
    assert fixes["LG101"] == {"safe": ["time.sleep"], "unsafe": True}
    assert fixes["LG107"] == {
        "safe": ["asyncio.AbstractEventLoop.run_until_complete", "asyncio.run"], "unsafe": False
    }
    assert fixes["LG403"] == {"safe": [], "unsafe": False}
    assert fixes["LG201"] == {"safe": [], "unsafe": True}


def test_a_warm_run_reads_the_fix_plans_back_from_the_cache(project, monkeypatch: pytest.MonkeyPatch) -> None:
    """Planning parses each file with findings; a run whose files and findings did not change reads
    the plans from the cache, with the same ``fix`` fields as a run without a cache."""
    root = project({"app.py": "import time\n\n\nasync def f():\n    time.sleep(1)\n"})

    def cached_run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(cli, ["check", "--output-format", "json", *args], catch_exceptions=False)
        return result.exit_code, result.stdout

    first = cached_run("app.py")
    assert json.loads(first[1])[0]["fix"]["applicability"] == "safe"

    def must_not_plan(*args: object, **kwargs: object) -> None:
        raise AssertionError("planned again")

    monkeypatch.setattr("loopguard.fixes.plan_fixes", must_not_plan)
    assert cached_run("app.py") == first
    monkeypatch.undo()
    monkeypatch.chdir(root)
    assert cached_run("--no-cache", "app.py") == first


def test_with_no_cache_the_rechecks_share_a_temporary_cache_and_leave_nothing(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from loopguard import check_command

    (workdir / "pyproject.toml").write_text("[tool.loopguard]\n")
    (workdir / "helpers.py").write_text("import time\n\n\ndef nap():\n    time.sleep(1)\n")
    (workdir / "app.py").write_text(
        "import time\n\nfrom helpers import nap\n\n\nasync def handler():\n    time.sleep(1)\n    nap()\n"
    )
    monkeypatch.setenv("TMPDIR", str(workdir / "tmp"))
    (workdir / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    seen: list[tuple[bool, Path | None]] = []
    real_check_files = check_command.check_files

    def recording(group, cwd, options, stdin, fix_plans=None):  # type: ignore[no-untyped-def]
        if stdin is not None:  # a re-check of a fixed buffer
            seen.append((options.no_cache, options.cache_dir))
            assert options.cache_dir is not None and options.cache_dir.is_dir()
        return real_check_files(group, cwd, options, stdin, fix_plans)

    monkeypatch.setattr(check_command, "check_files", recording)
    code, _out, _err = run("--fix", "app.py")
    assert "await asyncio.sleep(1)" in (workdir / "app.py").read_text()
    assert seen and {no_cache for no_cache, _ in seen} == {False}
    assert len({directory for _, directory in seen}) == 1  # one cache for every round
    assert not (workdir / ".loopguard_cache").exists()
    assert not list((workdir / "tmp").iterdir())  # the temporary cache is gone
    assert code == 1  # `nap()` is left: moving it to a thread is an unsafe fix
