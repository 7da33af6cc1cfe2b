"""Hostile trees: FIFOs, directories named x.py, symlink loops, unreadable directories, missing
paths, exponential globs, and analysed code that must never run.

Anything that could hang runs in a subprocess with a timeout, so a regression fails instead of
stalling the suite.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from loopguard.cli import cli
from loopguard.discovery.files import discover
from loopguard.discovery.globs import compile_glob

SLEEP = "import time\n\nasync def poll():\n    time.sleep(1)\n"
TIMEOUT = 120  # seconds; each run below takes about one on an idle machine


def loopguard(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "loopguard", "check", "--no-cache", "--output-format", "json", *args],
        cwd=cwd, check=False, capture_output=True, text=True, timeout=TIMEOUT,
    )


def reported(done: subprocess.CompletedProcess[str]) -> list[tuple[str, str]]:
    return sorted((f["path"], f["code"]) for f in json.loads(done.stdout))


def test_a_walked_fifo_is_lg001_unread_and_the_rest_is_checked(tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text(SLEEP)
    os.mkfifo(tmp_path / "fifo.py")
    done = loopguard(tmp_path, ".")
    assert (done.returncode, done.stderr) == (2, "")
    assert reported(done) == [("fifo.py", "LG001"), ("good.py", "LG101")]


def test_a_fifo_named_explicitly_is_lg001_and_the_rest_is_checked(tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text(SLEEP)
    os.mkfifo(tmp_path / "fifo.py")
    done = loopguard(tmp_path, "fifo.py", "good.py")
    assert done.returncode == 2
    assert reported(done) == [("fifo.py", "LG001"), ("good.py", "LG101")]
    (error,) = [f for f in json.loads(done.stdout) if f["code"] == "LG001"]
    assert error["message"] == "cannot check a FIFO: not a regular file"


def test_a_fifo_named_gitignore_does_not_hang(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "good.py").write_text(SLEEP)
    os.mkfifo(tmp_path / ".gitignore")
    done = loopguard(tmp_path, ".")
    assert done.returncode == 1 and reported(done) == [("good.py", "LG101")]


def test_a_symlink_to_a_device_is_lg001_unread_when_walked(tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text(SLEEP)
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    done = loopguard(tmp_path, ".")
    assert done.returncode == 2 and reported(done) == [("good.py", "LG101"), ("zero.py", "LG001")]


def test_a_directory_named_like_a_module_is_walked(tmp_path: Path) -> None:
    (tmp_path / "x.py").mkdir()
    (tmp_path / "x.py" / "inner.py").write_text(SLEEP)
    for args in ((".",), ("x.py",)):
        done = loopguard(tmp_path, *args)
        assert done.returncode == 1 and reported(done) == [("x.py/inner.py", "LG101")]


def test_symlink_loops_terminate_and_are_reported(tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text(SLEEP)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "up").symlink_to("..")  # a directory loop: never entered
    (tmp_path / "self").symlink_to(".")
    (tmp_path / "a.py").symlink_to("b.py")  # a file loop: cannot be read, so it is LG001
    (tmp_path / "b.py").symlink_to("a.py")
    done = loopguard(tmp_path, ".")
    assert done.returncode == 2
    assert reported(done) == [("a.py", "LG001"), ("b.py", "LG001"), ("good.py", "LG101")]
    named = loopguard(tmp_path, "a.py", "good.py")
    assert named.returncode == 2
    assert reported(named) == [("a.py", "LG001"), ("good.py", "LG101")]
    assert "symbolic links" in json.loads(named.stdout)[0]["message"]


def test_nonexistent_paths_are_named_and_the_others_checked(tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text(SLEEP)
    done = loopguard(tmp_path, "nope.py", "good.py", "gone/")
    assert done.returncode == 2
    assert reported(done) == [("good.py", "LG101")]
    assert done.stderr.splitlines() == [
        "loopguard: error: nope.py: no such file or directory",
        "loopguard: error: gone/: no such file or directory",
    ]


def refuse_to_list(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Directories called ``name`` cannot be listed. Permission bits do not stop root, so the
    refusal is simulated where os.walk lists directories."""
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        if os.path.basename(os.fspath(path)) == name:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_an_unreadable_directory_is_lg001_and_the_rest_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "good.py").write_text(SLEEP)
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "hidden.py").write_text(SLEEP)
    refuse_to_list(monkeypatch, "locked")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        cli, ["check", "--no-cache", "--jobs", "1", "--output-format", "json", "."], catch_exceptions=False
    )
    assert result.exit_code == 2
    found = sorted((f["path"], f["code"], f["message"]) for f in json.loads(result.stdout))
    assert found == [
        ("good.py", "LG101", "`time.sleep` blocks the event loop"),
        ("locked", "LG001", "cannot read directory: Permission denied"),
    ]


def test_an_unreadable_directory_is_a_problem_of_discovery(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "locked").mkdir()
    refuse_to_list(monkeypatch, "locked")
    found = discover((str(tmp_path),), tmp_path, ())
    assert [(p.path, p.reason) for p in found.problems] == [
        (tmp_path / "locked", "cannot read directory: Permission denied")
    ]
    assert str(tmp_path / "locked") not in found.walked  # the cache must not think it knows it


GLOB_PROBE = """
import sys
from loopguard.discovery.globs import compile_glob
from loopguard.discovery.files import is_excluded
deep = "a/" * 100 + "y.py"
print(compile_glob("**/" * 30 + "x.py").matches(deep))
print(compile_glob("a/**/" * 30 + "z.py").matches(deep))
print(compile_glob("*a" * 30 + "*b").matches("a" * 250))
print(is_excluded(deep, ("**/" * 30 + "y.py",)))
"""


def test_exclude_globs_match_in_linear_time() -> None:
    # A backtracking regex takes longer than the age of the universe on these; a subprocess with a
    # timeout turns a regression into a failure rather than a hung suite.
    done = subprocess.run([sys.executable, "-c", GLOB_PROBE], check=False, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.stdout.split() == ["False", "False", "False", "True"], done.stderr


def test_a_deep_tree_with_an_exponential_exclude_is_checked(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["a"] * 100)
    deep.mkdir(parents=True)
    (deep / "y.py").write_text(SLEEP)
    (tmp_path / "pyproject.toml").write_text(
        f"[tool.loopguard]\nexclude = ['{'**/' * 30}x.py', '{'a/**/' * 30}z.py']\n"
    )
    done = loopguard(tmp_path, ".")
    assert done.returncode == 1
    assert reported(done) == [("a/" * 100 + "y.py", "LG101")]


def reference_regex(pattern: str) -> re.Pattern[str]:
    """The backtracking translation loopguard used before globs.py: the meaning to keep."""
    anchored = "/" in pattern.rstrip("/")
    pattern = pattern.strip("/")
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        out.append({"*": "[^/]*", "?": "[^/]"}.get(pattern[i], re.escape(pattern[i])))
        i += 1
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(f"^{prefix}{''.join(out)}(?:/.*)?$")


def test_globs_keep_their_meaning() -> None:
    pieces = ["a", "b", "/", "*", "**", "**/", "?", ".", "_"]
    path_pieces = ["a", "b", "/", ".", "_"]
    rng = random.Random(14)
    for _ in range(5000):
        pattern = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        path = "".join(rng.choice(path_pieces) for _ in range(rng.randint(0, 9)))
        expected = bool(reference_regex(pattern).match(path))
        assert compile_glob(pattern).matches(path) == expected, (pattern, path)


SIDE_EFFECT = textwrap.dedent(
    """
    import pathlib
    pathlib.Path({marker!r}).write_text("executed")
    raise SystemExit(99)
    """
)


def test_analysed_code_is_never_imported_or_run(tmp_path: Path) -> None:
    project = tmp_path / "project"
    package = project / "app"
    package.mkdir(parents=True)
    markers = {name: tmp_path / f"ran-{name}" for name in ("init", "conftest", "setup", "module")}
    (package / "__init__.py").write_text(SIDE_EFFECT.format(marker=str(markers["init"])))
    (project / "conftest.py").write_text(SIDE_EFFECT.format(marker=str(markers["conftest"])))
    (project / "setup.py").write_text(SIDE_EFFECT.format(marker=str(markers["setup"])))
    (package / "service.py").write_text(SIDE_EFFECT.format(marker=str(markers["module"])) + SLEEP)
    (project / "pyproject.toml").write_text("[tool.loopguard]\nselect = ['LG']\n")
    done = loopguard(project, ".")
    assert done.returncode == 1, done.stderr
    assert reported(done) == [("app/service.py", "LG101")]
    assert [name for name, marker in markers.items() if marker.exists()] == []


def test_a_hostile_gitignore_neither_hangs_nor_crashes(tmp_path: Path) -> None:
    # pathspec compiled these lines to backtracking regexes (the first never finished on this tree)
    # and refused the lone "!" with an exception.
    (tmp_path / ".git").mkdir()
    deep = tmp_path.joinpath(*["a"] * 60)
    deep.mkdir(parents=True)
    (deep / "y.py").write_text(SLEEP)
    (tmp_path / ".gitignore").write_text("a/**/" * 8 + "z.py\n!\n" + "*a" * 30 + "*b\n")
    done = loopguard(tmp_path, ".")
    assert done.returncode == 1, done.stderr
    assert reported(done) == [("a/" * 60 + "y.py", "LG101")]


def git_ignored(directory: Path, files: list[str]) -> set[str]:
    done = subprocess.run(
        ["git", "-C", str(directory), "check-ignore", "--no-index", "--stdin"],
        input="\n".join(files) + "\n", check=False, capture_output=True, text=True, timeout=TIMEOUT,
    )
    return set(done.stdout.split("\n")) - {""}


def test_gitignore_lines_mean_what_they_mean_to_git(tmp_path: Path) -> None:
    """Random lines and trees, judged by loopguard's walk and by `git check-ignore` itself."""
    pieces = ["a", "b", "*", "**", "/", "?", "[ab]", ".py", "c", "[!a]", "\\*", "[a-b]", " ", "\\ "]
    names = ["a", "b", "c", "a.py", "b.py", "ab"]
    rng = random.Random(5)
    compared = 0
    for case in range(60):
        lines = [
            ("!" if rng.random() < 0.3 else "") + "".join(rng.choice(pieces) for _ in range(rng.randint(1, 4)))
            for _ in range(rng.randint(1, 3))
        ]
        root = tmp_path / str(case)
        subprocess.run(["git", "init", "-q", str(root)], check=True, timeout=TIMEOUT)
        for _ in range(8):
            file = root.joinpath(*[rng.choice(names) for _ in range(rng.randint(1, 4))])
            try:
                file.parent.mkdir(parents=True, exist_ok=True)
                file.touch(exist_ok=True)
            except (FileExistsError, NotADirectoryError, IsADirectoryError):
                continue  # a name already taken by a file (or a directory)
        (root / ".gitignore").write_text("\n".join(lines) + "\n")
        every = [p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts]
        every = [p for p in every if p != ".gitignore"]
        walked = {
            p.relative_to(root).as_posix()
            for p in discover((str(root),), root, ()).files
        }
        # discover keeps *.py files only; compare on those, and on what git ignores among them
        python_files = [p for p in every if p.endswith(".py")]
        expected = set(python_files) - git_ignored(root, python_files)
        assert walked == expected, (lines, sorted(walked), sorted(expected))
        compared += len(python_files)
    assert compared > 100
