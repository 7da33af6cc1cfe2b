"""Output that cannot be forged, content from outside the project never shown, and exit statuses
that never let a crash pass for findings (1) or for a clean run (0)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from loopguard.catalogue import ALL_RULES
from loopguard.cli import cli, main
from loopguard.models import Finding, Hop
from loopguard.report import ReportContext, full, renderers
from loopguard.report.source import SourceLines

SLEEP = "import time\n\nasync def poll():\n    time.sleep(1)\n"
# A file name that, printed raw, starts a GitHub workflow command and sends terminal sequences.
FORGED = "evil\n::error file=app.py,line=1::forged\r\x1b[2J\x9b31m\u2028\u202e.py"
UNSAFE = ("\n", "\r", "\x1b", "\x9b", "\u2028", "\u202e")
TEXT_FORMATS = ("concise", "text", "full", "github")


def hostile_finding() -> Finding:
    hop = Hop(path=FORGED, line=2, column=1, function="helper\x1b[1m", call="time.sleep\n::error::x")
    return Finding(
        path=FORGED, line=4, column=5, end_line=4, end_column=18, code="LG101", name="time-sleep",
        message="`time.sleep` blocks\n::error::forged", suggestion="await asyncio.sleep(...)\x1b[0m",
        chain=(hop,),
    )


def hostile_line(path: str, line: int) -> str:
    return "    time.sleep(1)  # \x1b[2J\u202e"


def context(tmp_path: Path, read_line: Callable[[str, int], str] = hostile_line) -> ReportContext:
    return ReportContext(rules=ALL_RULES, version="0", root=tmp_path, read_line=read_line)


@pytest.mark.parametrize("name", TEXT_FORMATS)
def test_text_formats_escape_control_characters(tmp_path: Path, name: str) -> None:
    output = renderers()[name]([hostile_finding()], context(tmp_path))
    lines = output.splitlines()
    for char in UNSAFE:
        if char != "\n":
            assert char not in output, (name, char)
    if name == "github":
        assert len(lines) == 1 and lines[0].startswith("::error file=evil%0A%3A%3Aerror file=app.py%2Cline=1%3A%3Aforged%0D")
        assert "%0D\\x1b[2J\\x9b31m\\u2028\\u202e.py," in lines[0]
    elif name == "full":
        assert lines[0].startswith("evil\\n::error file=app.py,line=1::forged\\r\\x1b[2J")
        # header, gutter, source, carets, gutter, help, hop
        assert len(lines) == 7 and not any(line.startswith("::") for line in lines)
    else:
        assert len(lines) == 1 and lines[0].startswith("evil\\n::error file=app.py,line=1::forged\\r")


@pytest.mark.parametrize("name", ["json", "jsonlines", "sarif", "gitlab"])
def test_json_formats_round_trip_a_hostile_path(tmp_path: Path, name: str) -> None:
    output = renderers()[name]([hostile_finding()], context(tmp_path))
    assert not any(char in output for char in UNSAFE[1:])
    documents = [json.loads(line) for line in output.splitlines()] if name == "jsonlines" else [json.loads(output)]
    text = json.dumps(documents)
    if name == "sarif":  # a URI: percent-encoded
        location = documents[0]["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
        assert unquote(location["artifactLocation"]["uri"]).endswith("/" + FORGED)
    else:  # the path survives exactly, escaped by JSON
        assert json.dumps(FORGED)[1:-1] in text


def test_junit_stays_well_formed_xml(tmp_path: Path) -> None:
    output = renderers()["junit"]([hostile_finding()], context(tmp_path))
    suite = ET.fromstring(output.split("\n", 1)[1])
    assert suite.get("failures") == "1" and "\x1b" not in output


def test_full_carets_line_up_after_escaped_controls(tmp_path: Path) -> None:
    finding = Finding(
        path="app.py", line=1, column=10, end_line=1, end_column=23, code="LG101", name="time-sleep",
        message="`time.sleep` blocks the event loop",
    )
    reader = lambda path, line: "x = '\x1b'; time.sleep(1)"
    lines = full.render([finding], context(tmp_path, reader)).splitlines()
    source, carets = lines[2], lines[3]
    assert source == "1 | x = '\\x1b'; time.sleep(1)"
    assert source[carets.index("^"):carets.rindex("^") + 1] == "time.sleep(1)"


def test_a_hostile_file_name_cannot_forge_a_line_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = "evil\n::error file=app.py,line=1::forged\x1b[2J.py"
    (tmp_path / name).write_text(SLEEP)
    monkeypatch.chdir(tmp_path)
    for output_format in TEXT_FORMATS:
        result = CliRunner().invoke(cli, ["check", "--no-cache", "--output-format", output_format, "."])
        assert result.exit_code == 1, result.output
        assert "\x1b" not in result.stdout
        assert not any(line.startswith("::error file=app.py") for line in result.stdout.splitlines())


def test_full_never_shows_content_from_outside_the_project(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("import time\n\nasync def poll():\n    time.sleep(1)  # TOKEN=hunter2\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[tool.loopguard]\n")
    (project / "x.py").symlink_to(outside / "secret.py")
    for args in ((".",), ("x.py",)):
        done = subprocess.run(
            [sys.executable, "-m", "loopguard", "check", "--no-cache", "--output-format", "full", *args],
            cwd=project, check=False, capture_output=True, text=True, timeout=120,
        )
        assert done.returncode == 1, done.stderr
        assert "x.py:4:5: LG101" in done.stdout  # the finding is reported...
        assert "hunter2" not in done.stdout  # ...without quoting the file it points at


def test_source_lines_are_confined_to_the_project_and_named_paths(tmp_path: Path) -> None:
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (project / "own.py").write_text("one\ntwo\n")
    (outside / "far.py").write_text("secret\n")
    (project / "link.py").symlink_to(outside / "far.py")
    os.mkfifo(project / "fifo.py")
    lines = SourceLines(str(project), [str(project)])
    assert lines(str(project / "own.py"), 2) == "two"
    assert lines(str(project / "link.py"), 1) == ""
    assert lines(str(project / "fifo.py"), 1) == ""  # and no hang
    assert lines(str(outside / "far.py"), 1) == ""
    # a file outside the root named on the command line is the user's own choice
    assert SourceLines(str(project), [str(outside / "far.py")])(str(outside / "far.py"), 1) == "secret"
    # a named symlink counts as its directory, so it cannot point the reader elsewhere
    assert SourceLines(str(project), [str(project / "link.py")])(str(project / "link.py"), 1) == ""


def test_source_lines_split_where_python_does(tmp_path: Path) -> None:
    (tmp_path / "odd.py").write_bytes("a = 1\f\nb = '\u2028'\r\nc = 2\rd = 3\n".encode())
    (tmp_path / "latin.py").write_bytes(b"# -*- coding: latin-1 -*-\nname = '\xe9'\n")
    lines = SourceLines(str(tmp_path), [])
    assert [lines(str(tmp_path / "odd.py"), n) for n in (1, 2, 3, 4)] == ["a = 1\f", "b = '\u2028'", "c = 2", "d = 3"]
    assert lines(str(tmp_path / "latin.py"), 2) == "name = '\xe9'"


def crash(*args: object, **kwargs: object) -> None:
    raise RuntimeError("boom\nsecond line \x1b[2J")


@pytest.mark.parametrize("extra", [(), ("--exit-zero",)])
def test_an_internal_error_exits_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], extra: tuple[str, ...]
) -> None:
    (tmp_path / "app.py").write_text(SLEEP)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LOOPGUARD_TRACEBACK", raising=False)
    monkeypatch.setattr("loopguard.check_command.check_jobs", crash)
    monkeypatch.setattr(sys, "argv", ["loopguard", "check", "--no-cache", *extra, "app.py"])
    status = main()
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err and "\x1b" not in err
    assert err.startswith("loopguard: internal error: RuntimeError: boom second line \\x1b[2J")
    assert "please report it" in err


def test_an_internal_error_in_a_renderer_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "app.py").write_text(SLEEP)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("loopguard.check_command.renderers", lambda: {"concise": crash})
    monkeypatch.setattr(sys, "argv", ["loopguard", "check", "--no-cache", "--exit-zero", "app.py"])
    assert main() == 2
    assert "internal error: RuntimeError" in capsys.readouterr().err


CRASHING_RUN = """
import sys
import loopguard.cli as cli
import loopguard.check_command as check_command
def crash(*args, **kwargs):
    raise MemoryError()
check_command.discover = crash
sys.argv = ["loopguard", "check", "--exit-zero", "."]
raise SystemExit(cli.main())
"""


def test_a_crash_in_a_real_process_exits_2(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "LOOPGUARD_TRACEBACK"}
    done = subprocess.run(
        [sys.executable, "-c", CRASHING_RUN], cwd=tmp_path, check=False, capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 2
    assert done.stderr.startswith("loopguard: internal error: MemoryError") and done.stderr.count("\n") == 1
    traced = subprocess.run(
        [sys.executable, "-c", CRASHING_RUN], cwd=tmp_path, check=False, capture_output=True, text=True, timeout=120,
        env={**env, "LOOPGUARD_TRACEBACK": "1"},
    )
    assert traced.returncode == 2 and "Traceback" in traced.stderr


def test_a_closed_pipe_is_not_reported_as_findings(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SLEEP)
    process = subprocess.Popen(
        [sys.executable, "-m", "loopguard", "check", "--no-cache", "app.py"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # long before the interpreter has started: every write fails
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 2
    assert "Traceback" not in stderr and "internal error" not in stderr


def test_standard_input_is_quoted_from_the_buffer_not_the_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "app.py").write_text("import time\n\nasync def poll():\n    time.sleep(1)  # on disk\n")
    monkeypatch.chdir(tmp_path)
    buffer = "import time\n\nasync def poll():\n    time.sleep(2)  # unsaved\n"
    result = CliRunner().invoke(
        cli, ["check", "--no-cache", "--output-format", "full", "--stdin-filename", "app.py", "-"], input=buffer
    )
    assert result.exit_code == 1
    assert "4 |     time.sleep(2)  # unsaved" in result.stdout and "on disk" not in result.stdout
