"""The command line as users run it: exit statuses, formats, errors, subcommands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from loopguard.cli import cli

BLOCKING = "import time\n\n\nasync def poll():\n    time.sleep(1)\n"
CLEAN = "import asyncio\n\n\nasync def poll():\n    await asyncio.sleep(1)\n"


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_text_output_names_the_replacement(project) -> None:
    project({"app.py": BLOCKING})
    code, out, _ = run("check", "app.py")
    assert code == 1
    assert out.splitlines()[0] == (
        "app.py:5:5: LG101 `time.sleep` blocks the event loop; use `await asyncio.sleep(...)`"
    )
    assert "Found 1 blocking call in 1 file." in out


def test_clean_project_exits_zero(project) -> None:
    project({"app.py": CLEAN})
    code, out, _ = run("check")
    assert code == 0
    assert "All checks passed!" in out


def test_json_contract(project) -> None:
    project({"app.py": BLOCKING})
    code, out, _ = run("check", "--output-format", "json", ".")
    assert code == 1
    [finding] = json.loads(out)
    assert finding == {
        "path": "app.py", "line": 5, "column": 5, "end_line": 5, "end_column": 18,
        "code": "LG101", "name": "blocking-sleep", "severity": "error",
        "message": "`time.sleep` blocks the event loop", "suggestion": "`await asyncio.sleep(...)`",
        "chain": [], "root": "app.py:5 time.sleep",
        "fix": {
            "applicability": "safe", "message": "Replace with `await asyncio.sleep(...)`",
            "edits": [
                {"content": "await asyncio.sleep(1)", "location": {"row": 5, "column": 5},
                 "end_location": {"row": 5, "column": 18}},
                {"content": "import asyncio\n", "location": {"row": 2, "column": 1},
                 "end_location": {"row": 2, "column": 1}},
            ],
        },
    }


def test_suggestion_follows_the_library_the_file_imports(project) -> None:
    project({
        "a.py": "import anyio, time\n\nasync def f():\n    time.sleep(1)\n",
        "t.py": "import trio, time\n\nasync def f():\n    time.sleep(1)\n",
    })
    _, out, _ = run("check", "--output-format", "json")
    suggestions = {f["path"]: f["suggestion"] for f in json.loads(out)}
    assert suggestions == {"a.py": "`await anyio.sleep(...)`", "t.py": "`await trio.sleep(...)`"}


def test_exit_zero_and_quiet(project) -> None:
    project({"app.py": BLOCKING})
    code, out, _ = run("check", "--exit-zero", "--quiet")
    assert code == 0
    assert out.count("\n") == 1 and "Found" not in out


def test_select_and_ignore_flags(project) -> None:
    project({"app.py": BLOCKING + "\nasync def g():\n    open('x')\n"})
    _, out, _ = run("check", "--output-format", "json", "--select", "LG5")
    assert [f["code"] for f in json.loads(out)] == ["LG501"]
    _, out, _ = run("check", "--output-format", "json", "--ignore", "LG1")
    assert [f["code"] for f in json.loads(out)] == ["LG501"]
    code, _, err = run("check", "--select", "E501")
    assert code == 2 and "--select: invalid code prefix 'E501'" in err


def test_syntax_error_is_lg001_and_other_files_are_still_checked(project) -> None:
    project({"broken.py": "async def f(:\n", "app.py": BLOCKING})
    code, out, err = run("check", "--output-format", "concise")
    assert code == 2
    lines = out.splitlines()
    assert lines[0] == "app.py:5:5: LG101 `time.sleep` blocks the event loop; use `await asyncio.sleep(...)`"
    assert lines[1].startswith("broken.py:1:") and "LG001 cannot parse file" in lines[1]
    assert "Traceback" not in out + err


def test_undecodable_file_is_lg001(project) -> None:
    root = project({"app.py": BLOCKING})
    (root / "latin.py").write_bytes(b"x = '\xff\xfe'\n")
    code, out, _ = run("check")
    assert code == 2
    assert "latin.py:1:1: LG001 cannot decode file" in out
    assert "app.py:5:5: LG101" in out


def test_missing_path_is_reported_and_the_rest_checked(project) -> None:
    project({"app.py": BLOCKING})
    code, out, err = run("check", "app.py", "nope.py")
    assert code == 2
    assert "loopguard: error: nope.py: no such file or directory" in err
    assert "app.py:5:5: LG101" in out


def test_bad_config_names_file_and_key(project) -> None:
    project({"pyproject.toml": "[tool.loopguard]\nselct = ['LG1']\n", "app.py": BLOCKING})
    code, out, err = run("check")
    assert code == 2
    assert out == ""  # nothing is checked with a configuration that may be wrong
    assert "pyproject.toml: [tool.loopguard] unknown key 'selct'" in err
    assert "Traceback" not in err


def test_wrong_type_in_config(project) -> None:
    project({"pyproject.toml": "[tool.loopguard]\nmax-depth = 'deep'\n", "app.py": BLOCKING})
    code, _, err = run("check")
    assert code == 2
    assert "'max-depth' must be a positive integer" in err


def test_invalid_toml(project) -> None:
    project({"pyproject.toml": "[tool.loopguard\n", "app.py": BLOCKING})
    code, _, err = run("check")
    assert code == 2
    assert "pyproject.toml: invalid TOML" in err


def test_explicit_config_file(project) -> None:
    root = project({"app.py": BLOCKING, "lg.toml": "ignore = ['LG101']\n"})
    code, out, _ = run("check", "--config", str(root / "lg.toml"))
    assert code == 0, out


def test_stdin_is_reported_as_the_given_filename(project) -> None:
    project({"pyproject.toml": "[tool.loopguard]\nper-file-ignores = { 'tests/**' = ['LG1'] }\n"})
    code, out, _ = run("check", "--output-format", "concise", "--stdin-filename", "app.py", "-", input=BLOCKING)
    assert code == 1
    assert out.startswith("app.py:5:5: LG101")
    code, out, _ = run("check", "--stdin-filename", "tests/test_app.py", "-", input=BLOCKING)
    assert code == 0, out


def test_rules_lists_every_code_grouped_by_domain() -> None:
    code, out, _ = run("rules")
    assert code == 0
    assert "sleeping and waiting:" in out
    assert "LG101  blocking-sleep" in out
    _, out, _ = run("rules", "--output-format", "json")
    codes = [r["code"] for r in json.loads(out)]
    assert "LG001" in codes and "LG201" in codes and codes == sorted(codes)


def test_explain_prints_the_rule_page() -> None:
    code, out, _ = run("explain", "LG101")
    assert code == 0
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety"):
        assert section in out
    code, _, err = run("explain", "LG999")
    assert code == 2 and "unknown code 'LG999'" in err


def test_real_subprocess_console_entry(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(BLOCKING)
    done = subprocess.run(
        [sys.executable, "-m", "loopguard", "check", "--output-format", "json", "app.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)[0]["code"] == "LG101"
    version = subprocess.run(
        [sys.executable, "-m", "loopguard", "--version"], capture_output=True, text=True, timeout=60,
        check=False,
    )
    assert version.returncode == 0 and "loopguard, version" in version.stdout


def test_colour_only_on_request_of_a_terminal(project, monkeypatch) -> None:
    project({"app.py": BLOCKING})
    code, out, _ = run("check", "--output-format", "full")
    assert code == 1 and "\x1b[" not in out  # CliRunner's stdout is not a terminal
    assert "^^^^^^^^^^^^^" in out and "help: use `await asyncio.sleep(...)`" in out


def test_statistics_counts_per_code(project) -> None:
    project({"app.py": BLOCKING + "\nasync def g():\n    time.sleep(2)\n    open('x')\n"})
    code, out, _ = run("check", "--statistics", "--output-format", "concise")
    assert code == 1
    assert out.splitlines()[:2] == ["2\tLG101\tblocking-sleep", "1\tLG501\tblocking-open"]


def test_every_output_format_runs_from_the_cli(project) -> None:
    project({"app.py": BLOCKING})
    for name in ("text", "concise", "full", "json", "json-lines", "jsonlines", "github", "sarif", "gitlab", "junit"):
        code, out, _ = run("check", "--output-format", name)
        assert code == 1 and out.strip(), name
