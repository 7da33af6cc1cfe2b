"""The command-line details a ruff user expects: --extend-select, --output-file, --statistics as
JSON, JUnit per finding, --color, warnings for empty directories, misspelt keys and unknown codes,
and start-up that does not load the analysis for --version, rules and explain."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from loopguard.cli import cli

SLEEP_AND_HTTP = (
    "import time\nimport requests\n\n\nasync def poll():\n    time.sleep(1)\n"
    "    requests.get('https://example.com')\n"
)
CLEAN = "import asyncio\n\n\nasync def poll():\n    await asyncio.sleep(1)\n"
ANSI = "\x1b["


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False, env=env)
    return result.exit_code, result.stdout, result.stderr


def codes(out: str) -> list[str]:
    return [line.split()[1] for line in out.splitlines() if ": LG" in line]


# --- start-up --------------------------------------------------------------------------------------

ANALYSIS_MODULES = ("libcst", "loopguard.analysis.stages", "loopguard.runner", "loopguard.cache.store", "msgpack")
LOADED_AFTER = """
import sys
from loopguard.cli import main
sys.argv = ["loopguard", *sys.argv[1:]]
status = main()
print("MODULES", " ".join(sorted(m for m in sys.modules if m.split(".")[0] in ("libcst", "loopguard", "msgpack"))))
"""


def modules_loaded_by(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", LOADED_AFTER, *args], check=False, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if line.startswith("MODULES"))
    return set(line.split()[1:])


def test_version_loads_neither_libcst_nor_the_analysis() -> None:
    loaded = modules_loaded_by("--version")
    assert not loaded & set(ANALYSIS_MODULES), loaded
    assert "loopguard.catalogue" not in loaded


@pytest.mark.parametrize("args", [("rules",), ("explain", "LG101")])
def test_rules_and_explain_load_the_catalogue_only(args: tuple[str, ...]) -> None:
    loaded = modules_loaded_by(*args)
    assert "loopguard.catalogue" in loaded
    assert not loaded & set(ANALYSIS_MODULES), loaded


def test_a_check_with_nothing_to_confirm_does_not_load_libcst(tmp_path: Path) -> None:
    """libcst (~0.4 s to import) confirms candidates; a file without any is never handed to it."""
    (tmp_path / "plain.py").write_text("import time\n\n\ndef wait():\n    time.sleep(1)\n")
    loaded = modules_loaded_by("check", "--no-cache", str(tmp_path / "plain.py"))
    assert "loopguard.runner" in loaded
    assert "libcst" not in loaded


def test_check_still_runs_the_analysis_in_a_real_process(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SLEEP_AND_HTTP)
    done = subprocess.run(
        [sys.executable, "-m", "loopguard", "check", "--no-cache", "app.py"],
        cwd=tmp_path, check=False, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 1 and "app.py:6:5: LG101" in done.stdout


# --- --extend-select ------------------------------------------------------------------------------


def test_extend_select_adds_to_the_configured_select(project) -> None:
    project({"pyproject.toml": '[tool.loopguard]\nselect = ["LG1"]\n', "app.py": SLEEP_AND_HTTP})
    assert codes(run("check", "app.py")[1]) == ["LG101"]
    assert codes(run("check", "--extend-select", "LG2", "app.py")[1]) == ["LG101", "LG201"]
    # --select replaces, --extend-select then adds: ruff's order
    assert codes(run("check", "--select", "LG5", "--extend-select", "LG2", "app.py")[1]) == ["LG201"]


def test_extend_select_is_still_subject_to_ignore(project) -> None:
    project({"pyproject.toml": '[tool.loopguard]\nignore = ["LG201"]\n', "app.py": SLEEP_AND_HTTP})
    assert codes(run("check", "--extend-select", "LG2", "app.py")[1]) == ["LG101"]


# --- --output-file --------------------------------------------------------------------------------


def test_output_file_holds_the_whole_report(project, tmp_path: Path) -> None:
    project({"app.py": SLEEP_AND_HTTP})
    status, out, _ = run("check", "--output-file", "reports/lg.txt", "app.py")
    assert status == 1 and out == ""
    written = (tmp_path / "reports" / "lg.txt").read_text(encoding="utf-8")
    assert codes(written) == ["LG101", "LG201"]
    assert written.endswith(
        "Found 2 blocking calls in 1 file.\n"
        "[*] 1 fixable with the `--fix` option (1 hidden fix can be enabled with the `--unsafe-fixes` option).\n"
    )


def test_output_file_in_a_machine_format(project, tmp_path: Path) -> None:
    project({"app.py": SLEEP_AND_HTTP})
    status, out, _ = run("check", "-o", "lg.json", "--output-format", "json", "app.py")
    assert status == 1 and out == ""
    assert [f["code"] for f in json.loads((tmp_path / "lg.json").read_text())] == ["LG101", "LG201"]


def test_an_unwritable_output_file_is_exit_2_with_a_message(project, tmp_path: Path) -> None:
    project({"app.py": CLEAN, "taken/placeholder": ""})
    status, _, err = run("check", "--output-file", "taken/placeholder/lg.txt", "app.py")
    assert status == 2
    assert "taken/placeholder/lg.txt: cannot write the output file" in err
    assert "Traceback" not in err


# --- --statistics ---------------------------------------------------------------------------------


def test_statistics_as_json_is_ruffs_shape(project) -> None:
    project({"app.py": SLEEP_AND_HTTP + "    time.sleep(2)\n"})
    status, out, _ = run("check", "--statistics", "--output-format", "json", "app.py")
    assert status == 1
    assert json.loads(out) == [
        {"code": "LG101", "name": "blocking-sleep", "count": 2, "fixable": True, "fixable_count": 2},
        {"code": "LG201", "name": "requests-call", "count": 1, "fixable": False, "fixable_count": 0},
    ]


def test_statistics_refuses_a_format_it_cannot_write(project) -> None:
    project({"app.py": SLEEP_AND_HTTP})
    status, out, err = run("check", "--statistics", "--output-format", "github", "app.py")
    assert status == 2 and out == ""
    assert "--statistics cannot be written as github" in err


# --- JUnit ----------------------------------------------------------------------------------------


def test_junit_from_the_cli_has_one_testcase_per_finding(project) -> None:
    project({"app.py": SLEEP_AND_HTTP})
    status, out, _ = run("check", "--output-format", "junit", "app.py")
    assert status == 1
    report = ET.fromstring(out.encode("utf-8"))
    cases = report.findall("testsuite/testcase")
    assert [(c.get("name"), c.get("line")) for c in cases] == [
        ("loopguard.LG101", "6"), ("loopguard.LG201", "7"),
    ]
    assert report.get("tests") == "2" and report.get("failures") == "2"


# --- the summary line and warnings ----------------------------------------------------------------


def test_no_all_checks_passed_next_to_a_missing_path(project) -> None:
    project({"app.py": CLEAN})
    status, out, err = run("check", "app.py", "missing.py")
    assert status == 2
    assert "missing.py: no such file or directory" in err
    assert "All checks passed!" not in out
    assert "1 path was not found." in out


def test_no_all_checks_passed_next_to_an_unparsable_file(project) -> None:
    project({"app.py": CLEAN, "broken.py": "def (:\n"})
    status, out, _ = run("check", "app.py", "broken.py")
    assert status == 2
    assert "All checks passed!" not in out
    assert "No blocking calls found. 1 file could not be checked." in out


def test_a_directory_without_python_files_is_warned_about(project) -> None:
    project({"app.py": CLEAN, "docs/index.md": "# docs\n", "vendor/lib.py": CLEAN,
             "pyproject.toml": '[tool.loopguard]\nexclude = ["vendor/**"]\n'})
    status, out, err = run("check", "app.py", "docs", "vendor")
    assert status == 0 and "All checks passed! (1 file checked)" in out
    assert "loopguard: warning: docs: no Python files to check" in err
    assert "loopguard: warning: vendor: no Python files to check" in err


def test_a_directory_with_python_files_is_not_warned_about(project) -> None:
    project({"src/app.py": CLEAN})
    _, _, err = run("check", "src")
    assert "warning" not in err


def test_a_misspelt_key_gets_a_suggestion(project) -> None:
    project({"pyproject.toml": '[tool.loopguard]\nper-file-ignore = { "x.py" = ["LG1"] }\n', "app.py": CLEAN})
    status, _, err = run("check", "app.py")
    assert status == 2
    assert "unknown key 'per-file-ignore'; did you mean 'per-file-ignores'?" in err


def test_a_key_nothing_like_a_known_one_gets_no_guess(project) -> None:
    project({"pyproject.toml": '[tool.loopguard]\nzzz = 1\n', "app.py": CLEAN})
    _, _, err = run("check", "app.py")
    assert "unknown key 'zzz'" in err and "did you mean" not in err


def test_unknown_codes_in_the_configuration_are_warned_about(project) -> None:
    project({
        "pyproject.toml": '[tool.loopguard]\nselect = ["LG1", "LG999"]\nignore = ["LG77"]\n'
                          'per-file-ignores = { "tests/**" = ["LG0009"] }\n',
        "app.py": SLEEP_AND_HTTP,
    })
    status, out, err = run("check", "app.py")
    assert status == 1 and codes(out) == ["LG101"]  # the run goes on with the codes that exist
    assert "'select' has the code 'LG999', which matches no rule" in err
    assert "'ignore' has the code 'LG77', which matches no rule" in err
    assert "'per-file-ignores.tests/**' has the code 'LG0009', which matches no rule" in err
    assert "LG1'" not in err


def test_unknown_codes_on_the_command_line_are_warned_about(project) -> None:
    project({"app.py": SLEEP_AND_HTTP})
    status, _, err = run("check", "--select", "LG1,LG998", "--extend-select", "LG9999",
                         "--ignore", "LG2,LG000", "app.py")
    assert status == 1
    assert "--select: the code 'LG998' matches no rule" in err
    assert "--extend-select: the code 'LG9999' matches no rule" in err
    assert "--ignore: the code 'LG000' matches no rule" in err
    assert "'LG1'" not in err and "'LG2'" not in err


# --- --color --------------------------------------------------------------------------------------


def test_color_always_colours_a_pipe(project) -> None:
    project({"app.py": SLEEP_AND_HTTP})
    _, out, _ = run("check", "--output-format", "full", "--color", "always", "app.py")
    assert ANSI in out


@pytest.mark.parametrize("args", [("--color", "never"), ("--no-color",)])
def test_color_never_wins_over_force_color(project, args: tuple[str, ...]) -> None:
    project({"app.py": SLEEP_AND_HTTP})
    _, out, _ = run("check", "--output-format", "full", *args, "app.py", env={"FORCE_COLOR": "1"})
    assert ANSI not in out and "^^^" in out


def test_color_auto_follows_the_environment(project) -> None:
    project({"app.py": SLEEP_AND_HTTP})
    _, piped, _ = run("check", "--output-format", "full", "app.py", env={"FORCE_COLOR": "", "NO_COLOR": ""})
    _, forced, _ = run("check", "--output-format", "full", "app.py", env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    _, refused, _ = run("check", "--output-format", "full", "app.py", env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert ANSI not in piped and ANSI in forced and ANSI not in refused


def test_color_is_never_written_to_an_output_file(project, tmp_path: Path) -> None:
    project({"app.py": SLEEP_AND_HTTP})
    run("check", "--output-format", "full", "-o", "lg.txt", "app.py")
    assert ANSI not in (tmp_path / "lg.txt").read_text()


def test_a_run_leaves_the_collector_as_it_found_it(tmp_path: Path) -> None:
    """The collector is paused for the run; afterwards it is on again, nothing stays frozen, and
    the run's objects wait in the oldest generation instead of being scanned at once."""
    import gc

    from loopguard.config import Config
    from loopguard.runner import check_paths

    (tmp_path / "app.py").write_text(SLEEP_AND_HTTP)
    assert gc.isenabled()
    results = check_paths([tmp_path / "app.py"], Config(root=tmp_path), cwd=tmp_path)
    assert [f.code for r in results for f in r.findings] == ["LG101", "LG201"]
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_what_a_run_leaves_goes_to_the_oldest_generation_unscanned() -> None:
    import gc

    from loopguard.runner import promote_survivors

    gc.disable()
    try:
        kept = [[number] for number in range(50_000)]
        assert gc.get_count()[0] >= 40_000
        promote_survivors()
        assert gc.get_count()[0] < 100, "the young generation would be scanned on the next allocation"
        assert gc.get_freeze_count() == 0 and len(kept) == 50_000
    finally:
        gc.enable()
