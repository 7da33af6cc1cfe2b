"""``--baseline`` / ``--write-baseline`` / the ``baseline`` key: today's findings are accepted, only
new ones fail; entries survive edits above them; stale entries are reported; a bad file is exit 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from loopguard.baseline import (
    BaselineEntry,
    baseline_text,
    normalised_source,
    root_without_line,
)
from loopguard.cli import cli

APP = (
    "import time\n"
    "import requests\n\n\n"
    "def fetch():\n"
    "    return requests.get('https://example.com')\n\n\n"
    "async def poll():\n"
    "    time.sleep(1)\n"
    "    fetch()\n"
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["check", "--no-cache", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def reported(out: str) -> list[str]:
    """``path:line code`` of each finding in concise output."""
    return [f"{line.split(':')[0]}:{line.split(':')[1]} {line.split()[1]}"
            for line in out.splitlines() if ": LG" in line]


def test_written_baseline_hides_todays_findings_and_exits_zero(project) -> None:
    root = project({"app.py": APP})
    status, out, err = run("--write-baseline", "baseline.json", ".")
    assert status == 0
    assert "wrote 2 findings to the baseline baseline.json" in err
    assert out == "All checks passed! (1 file checked, 2 baselined)\n"
    document = json.loads((root / "baseline.json").read_text(encoding="utf-8"))
    assert document["version"] == 1
    assert [(e["path"], e["code"], e["source"], e["occurrence"]) for e in document["findings"]] == [
        ("app.py", "LG101", "time.sleep(1)", 0),
        ("app.py", "LG201", "fetch()", 0),
    ]
    # the root cause keeps its file and API, never a line number
    assert document["findings"][1]["root"] == "app.py requests.get"
    assert run("--baseline", "baseline.json", ".")[:2] == (0, "All checks passed! (1 file checked, 2 baselined)\n")


def test_the_file_is_sorted_indented_and_ends_with_a_newline() -> None:
    entries = [BaselineEntry("b.py", "LG101", "", "x()"), BaselineEntry("a.py", "LG201", "", "y()")]
    text = baseline_text(entries)
    assert text.endswith("}\n")
    assert text == baseline_text(reversed(entries))
    assert text.index('"a.py"') < text.index('"b.py"')
    assert '\n    {\n      "path": "a.py",\n' in text  # one object per entry, one key per line


def test_only_a_new_finding_fails_and_lines_inserted_above_do_not_matter(project) -> None:
    root = project({"app.py": APP})
    run("--write-baseline", "baseline.json", ".")
    text = (root / "app.py").read_text(encoding="utf-8")
    text = "import os\n# a comment\n\n" + text
    (root / "app.py").write_text(text + "    time.sleep(2)\n", encoding="utf-8")
    status, out, _ = run("--output-format", "concise", "--baseline", "baseline.json", ".")
    assert status == 1
    assert reported(out) == ["app.py:15 LG101"]
    assert out.splitlines()[-2:] == [
        "Found 1 blocking call in 1 file (2 baselined).", "[*] 1 fixable with the `--fix` option."
    ]


def test_occurrence_index_tells_identical_lines_apart(project) -> None:
    two = "import time\n\n\nasync def poll():\n    time.sleep(1)\n    time.sleep(1)\n"
    root = project({"app.py": two})
    run("--write-baseline", "baseline.json", ".")
    entries = json.loads((root / "baseline.json").read_text(encoding="utf-8"))["findings"]
    assert [e["occurrence"] for e in entries] == [0, 1]
    (root / "app.py").write_text(two + "    time.sleep(1)\n", encoding="utf-8")
    status, out, _ = run("--output-format", "concise", "--baseline", "baseline.json", ".")
    assert (status, reported(out)) == (1, ["app.py:7 LG101"])


def test_whitespace_inside_the_line_does_not_change_the_key() -> None:
    assert normalised_source("   time.sleep( 1 )\t") == normalised_source("time.sleep(  1 )")
    assert root_without_line("pkg/io.py:115 ssl.create_default_context", lambda p: "src/" + p) == (
        "src/pkg/io.py ssl.create_default_context"
    )


def test_stale_entries_are_a_warning_with_count_and_entries(project) -> None:
    root = project({"app.py": APP})
    run("--write-baseline", "baseline.json", ".")
    (root / "app.py").write_text(APP.replace("    time.sleep(1)\n", ""), encoding="utf-8")
    status, out, err = run("--baseline", "baseline.json", ".")
    assert status == 0
    assert "baseline.json: 1 baseline entry matched no finding" in err
    assert "  app.py: LG101 `time.sleep(1)`" in err
    assert out == "All checks passed! (1 file checked, 1 baselined)\n"


def test_entries_of_files_not_checked_or_codes_not_selected_are_not_stale(project) -> None:
    root = project({"app.py": APP, "other.py": "import time\n\n\nasync def f():\n    time.sleep(1)\n"})
    run("--write-baseline", "baseline.json", ".")
    status, _, err = run("--baseline", "baseline.json", "app.py")
    assert (status, err) == (0, "")
    status, _, err = run("--baseline", "baseline.json", "--select", "LG2", ".")
    assert (status, err) == (0, "")
    assert (root / "baseline.json").exists()


def test_rewriting_the_baseline_drops_stale_entries(project) -> None:
    root = project({"app.py": APP})
    run("--write-baseline", "baseline.json", ".")
    (root / "app.py").write_text(APP.replace("    fetch()\n", ""), encoding="utf-8")
    assert run("--write-baseline", "baseline.json", ".")[0] == 0
    codes = [e["code"] for e in json.loads((root / "baseline.json").read_text(encoding="utf-8"))["findings"]]
    assert codes == ["LG101"]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "cannot read the baseline: No such file or directory"),
        ("{", "the baseline is not valid JSON (line 1, column 2"),
        ("[]", 'not a loopguard baseline (an object with a "findings" list)'),
        ('{"version": 99, "findings": []}', "baseline format version 99 is not supported"),
        ('{"version": 1, "findings": [{"path": "a.py"}]}', "finding 1 must have exactly the keys"),
        (
            ('{"version": 1, "findings": [{"path": "a.py", "code": "LG101", "root": "", "source": "x",'
            ' "occurrence": -1}]}'),
            "finding 1 must have string path, code, root and source and a non-negative integer occurrence",
        ),
    ],
)
def test_an_unusable_baseline_is_an_error_naming_the_file(project, content: str | None, problem: str) -> None:
    root = project({"app.py": APP})
    if content is not None:
        (root / "baseline.json").write_text(content, encoding="utf-8")
    status, out, err = run("--baseline", "baseline.json", ".")
    assert status == 2
    assert err == f"loopguard: error: baseline.json: {problem}" + err.split(problem, 1)[1]
    assert "Traceback" not in err
    assert out == ""


def test_a_baseline_that_cannot_be_written_is_exit_2(project) -> None:
    project({"app.py": APP})
    status, _, err = run("--write-baseline", "app.py/baseline.json", ".")  # under a file
    assert status == 2
    assert err.startswith("loopguard: error: app.py/baseline.json: cannot write the baseline:")


def test_the_configured_baseline_is_relative_to_the_configuration_file(project, monkeypatch) -> None:
    root = project({
        "proj/pyproject.toml": '[tool.loopguard]\nbaseline = "ci/loopguard-baseline.json"\n',
        "proj/app.py": APP,
    })
    assert run("--write-baseline", "proj/ci/loopguard-baseline.json", "proj")[0] == 0
    monkeypatch.chdir(root / "proj" / "ci")
    status, out, _ = run("..")
    assert (status, out) == (0, "All checks passed! (1 file checked, 2 baselined)\n")


def test_a_configured_baseline_that_is_missing_is_exit_2(project) -> None:
    project({"pyproject.toml": '[tool.loopguard]\nbaseline = "missing.json"\n', "app.py": APP})
    status, _, err = run(".")
    assert status == 2
    assert "missing.json: cannot read the baseline" in err


def test_baseline_in_a_real_subprocess(project) -> None:
    root = project({"app.py": APP})
    command = [sys.executable, "-m", "loopguard", "check", "--no-cache"]
    written = subprocess.run([*command, "--write-baseline", "b.json", "."], cwd=root, capture_output=True,
                             text=True, check=False, timeout=120)
    assert written.returncode == 0, written.stderr
    (root / "app.py").write_text(APP + "    time.sleep(3)\n", encoding="utf-8")
    done = subprocess.run([*command, "--baseline", "b.json", "."], cwd=root, capture_output=True, text=True,
                          check=False, timeout=120)
    assert done.returncode == 1
    assert "app.py:12:5: LG101" in done.stdout
    assert "(2 baselined)" in done.stdout
