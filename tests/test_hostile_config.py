"""Hostile configuration: every broken or absurd setting is one line naming the file, exit status 2.

A pyproject.toml found upward that is not ours (no [tool.loopguard] table, ``tool = 1``, another
tool's weird table, even invalid TOML that never mentions loopguard) is never an error.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from loopguard.cli import main
from loopguard.config import MAX_CONFIG_BYTES, load_config

SLEEP = "import time\n\nasync def poll():\n    time.sleep(1)\n"


def run_check(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cwd: Path, *args: str
) -> tuple[int, str, str]:
    """``loopguard check --no-cache ARGS`` through ``main()``, the console entry point itself."""
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "argv", ["loopguard", "check", "--no-cache", "--output-format", "concise", *args])
    status = main()
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_line_error(err: str, *fragments: str) -> None:
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith("loopguard: error: "), err
    for fragment in fragments:
        assert fragment in err, err


def project_with(tmp_path: Path, pyproject: bytes | str, where: str = ".") -> Path:
    """A checked directory ``tmp_path/project`` with ``pyproject`` written in ``where`` (relative to it)."""
    checked = tmp_path / "project"
    checked.mkdir()
    (checked / "app.py").write_text(SLEEP)
    config = (checked / where / "pyproject.toml").resolve()
    data = pyproject.encode() if isinstance(pyproject, str) else pyproject
    config.write_bytes(data)
    return checked


@pytest.mark.parametrize(
    ("pyproject", "fragments"),
    [
        (b"[tool.loopguard]\nselect = [\"LG1\"]\n# caf\xe9\n", ("invalid TOML", "not UTF-8", "0xe9")),
        ("[tool.loopguard]\nselect = [\n", ("invalid TOML",)),
        ("[tool.loopguard]\nmax-depth = 1" + "0" * 5000 + "\n", ("invalid TOML",)),
        ("[tool.loopguard]\nx = " + "[" * 100_000 + "\n", ("invalid TOML",)),
        ("[tool]\nloopguard = 1\n", ("[tool.loopguard] must be a table",)),
        ("[tool.loopguard]\nselect = [1]\n", ("'select' must be a list of code prefixes",)),
        ("[tool.loopguard]\nexclude = 'build'\n", ("'exclude' must be a list of glob patterns",)),
        ("[tool.loopguard]\nrespect-gitignore = 'yes'\n", ("'respect-gitignore' must be true or false",)),
        ("[tool.loopguard]\nselct = ['LG1']\n", ("unknown key 'selct'",)),
        ("[tool.loopguard]\nexclude = ['" + "a" * 1001 + "']\n", ("'exclude' must be a list of glob",)),
        ("[tool.loopguard]\nper-file-ignores = { '" + "a" * 1001 + "' = ['LG1'] }\n", ("'per-file-ignores'",)),
    ],
)
def test_broken_configuration_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    pyproject: bytes | str, fragments: tuple[str, ...],
) -> None:
    checked = project_with(tmp_path, pyproject)
    status, out, err = run_check(monkeypatch, capsys, checked)
    assert status == 2 and out == ""
    assert_one_line_error(err, str(checked / "pyproject.toml"), *fragments)


@pytest.mark.parametrize("value", ["-1", "0", "1000000000", "true", "2.5", "'8'", "[8]"])
def test_absurd_max_depth_is_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    checked = project_with(tmp_path, f"[tool.loopguard]\nmax-depth = {value}\n")
    status, _, err = run_check(monkeypatch, capsys, checked)
    assert status == 2
    assert_one_line_error(err, "'max-depth' must be a positive integer no larger than 100")


def test_the_largest_max_depth_is_accepted(tmp_path: Path) -> None:
    checked = project_with(tmp_path, "[tool.loopguard]\nmax-depth = 100\n")
    assert load_config(None, checked).max_depth == 100


def test_a_huge_pyproject_is_refused_without_reading_it_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    padding = "# " + "x" * 1000 + "\n"
    body = "[tool.loopguard]\nselect = ['LG']\n" + padding * (MAX_CONFIG_BYTES // len(padding) + 1)
    checked = project_with(tmp_path, body)
    status, _, err = run_check(monkeypatch, capsys, checked)
    assert status == 2
    assert_one_line_error(err, str(checked / "pyproject.toml"), f"larger than {MAX_CONFIG_BYTES} bytes")


@pytest.mark.parametrize(
    "parent",
    [
        "tool = 1\n",
        "tool = 'loopguard'\n",  # `"loopguard" in "loopguard"` is True for a string
        "[tool.black]\nline-length = 'very'\n[tool.ruff]\nselect = 5\n",
        "[project\nname = broken TOML that is somebody else's problem\n",
        b"[project]\nname = 'caf\xe9'\n",  # not UTF-8, but not ours
        "[project]\nname = 'loopguard-user'\ntool = 1\n",  # mentions loopguard, still has no table
    ],
)
def test_a_parent_pyproject_without_our_table_is_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], parent: str | bytes
) -> None:
    checked = project_with(tmp_path, parent, where="..")  # in tmp_path, above the checked directory
    status, out, err = run_check(monkeypatch, capsys, checked)
    assert err == "" and status == 1
    assert "app.py:4:5: LG101" in out


def test_a_parent_with_our_table_and_invalid_toml_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    checked = project_with(tmp_path, "[tool.loopguard]\nselect = [\n", where="..")
    status, _, err = run_check(monkeypatch, capsys, checked)
    assert status == 2
    assert_one_line_error(err, str(tmp_path / "pyproject.toml"), "invalid TOML")


def test_globs_that_match_nothing_are_silent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    body = "[tool.loopguard]\nexclude = ['nothing/**', '*.nope']\nper-file-ignores = { 'none/*.py' = ['LG1'] }\n"
    checked = project_with(tmp_path, body)
    status, out, err = run_check(monkeypatch, capsys, checked)
    assert (status, err) == (1, "")
    assert "app.py:4:5: LG101" in out


def test_control_characters_in_a_key_are_shown_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    checked = project_with(tmp_path, '[tool.loopguard]\n"\\u001b[2J\\nfake" = 1\n')
    status, _, err = run_check(monkeypatch, capsys, checked)
    assert status == 2
    assert_one_line_error(err, "unknown key", "\\x1b[2J\\nfake")
    assert "\x1b" not in err


def test_a_long_value_is_cut_in_the_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    checked = project_with(tmp_path, "[tool.loopguard]\nselect = " + repr(list(range(100_000))) + "\n")
    status, _, err = run_check(monkeypatch, capsys, checked)
    assert status == 2
    assert_one_line_error(err, "'select' must be a list of code prefixes, got [0, 1, 2")
    assert len(err) < 400


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_a_config_option_that_is_not_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    (tmp_path / "app.py").write_text(SLEEP)
    target = tmp_path / "conf"
    if kind == "directory":
        target.mkdir()
    status, out, err = run_check(monkeypatch, capsys, tmp_path, "--config", str(target), "app.py")
    assert status == 2 and out == ""
    reason = "No such file or directory" if kind == "missing" else "a directory, not a regular file"
    assert_one_line_error(err, str(target), reason)


def test_a_config_option_naming_a_fifo_does_not_hang(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SLEEP)
    os.mkfifo(tmp_path / "loopguard.toml")
    done = subprocess.run(
        [sys.executable, "-m", "loopguard", "check", "--no-cache", "--config", "loopguard.toml", "app.py"],
        cwd=tmp_path, check=False, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert_one_line_error(done.stderr, "loopguard.toml", "a FIFO, not a regular file")


def test_a_fifo_named_pyproject_toml_above_is_not_opened(tmp_path: Path) -> None:
    checked = tmp_path / "project"
    checked.mkdir()
    (checked / "app.py").write_text(SLEEP)
    os.mkfifo(tmp_path / "pyproject.toml")
    done = subprocess.run(
        [sys.executable, "-m", "loopguard", "check", "--no-cache", "--output-format", "concise"],
        cwd=checked, check=False, capture_output=True, text=True, timeout=60,
    )
    assert (done.returncode, done.stderr) == (1, "")
    assert "app.py:4:5: LG101" in done.stdout
