"""Which files a run checks: default skips, hidden directories, .gitignore/.ignore, excludes."""

from __future__ import annotations

from pathlib import Path

from loopguard.discovery.files import discover
from loopguard.discovery.globs import compile_glob

SLEEP = "import time\n\nasync def f():\n    time.sleep(1)\n"


def names(root: Path, *paths: str, **options: object) -> list[str]:
    found = discover(paths or (str(root),), root, tuple(options.pop("exclude", ())), **options)  # type: ignore[arg-type]
    return sorted(p.resolve().relative_to(root).as_posix() for p in found.files)


def make(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_default_skips_and_hidden_directories(tmp_path: Path) -> None:
    make(tmp_path, {
        "app.py": SLEEP, "stub.pyi": "", "notes.txt": "", ".venv/lib.py": SLEEP, "build/x.py": "",
        "node_modules/y.py": "", "pkg/__pycache__/z.py": "", ".hidden/h.py": "", "pkg/mod.py": "",
        "x.egg-info/setup.py": "",
    })
    assert names(tmp_path) == ["app.py", "pkg/mod.py", "stub.pyi"]
    # a hidden directory named on the command line is checked
    assert names(tmp_path, str(tmp_path / ".hidden")) == [".hidden/h.py"]


def test_gitignore_and_ignore_files_are_respected(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    make(tmp_path, {
        ".gitignore": "generated/\n*_pb2.py\n!keep_pb2.py\n",
        "src/.gitignore": "local_*.py\n",
        "src/.ignore": "scratch.py\n",
        "src/app.py": "", "src/local_settings.py": "", "src/scratch.py": "", "src/api_pb2.py": "",
        "src/keep_pb2.py": "", "generated/models.py": "", "other/local_x.py": "",
    })
    assert names(tmp_path) == ["other/local_x.py", "src/app.py", "src/keep_pb2.py"]
    # the repository's root .gitignore applies when only a subdirectory is checked
    assert names(tmp_path, str(tmp_path / "src")) == ["src/app.py", "src/keep_pb2.py"]
    everything = names(tmp_path, respect_gitignore=False)
    assert "generated/models.py" in everything and "src/api_pb2.py" in everything


def test_explicit_files_are_checked_unless_force_exclude(tmp_path: Path) -> None:
    make(tmp_path, {"migrations/m1.py": "", "app.py": ""})
    assert names(tmp_path, exclude=["migrations"]) == ["app.py"]
    assert names(tmp_path, str(tmp_path / "migrations/m1.py"), exclude=["migrations"]) == ["migrations/m1.py"]
    assert names(tmp_path, str(tmp_path / "migrations/m1.py"), exclude=["migrations"], force_exclude=True) == []


def test_missing_paths_are_reported(tmp_path: Path) -> None:
    found = discover((str(tmp_path / "nope.py"),), tmp_path, ())
    assert found.missing == (str(tmp_path / "nope.py"),) and found.files == ()


def test_glob_semantics() -> None:
    assert compile_glob("migrations").matches("app/migrations/0001.py")
    assert compile_glob("migrations/**").matches("migrations/0001.py")
    assert not compile_glob("migrations/**").matches("app/migrations/0001.py")
    assert compile_glob("scripts/*.py").matches("scripts/tool.py")
    assert not compile_glob("scripts/*.py").matches("scripts/deep/tool.py")
    assert compile_glob("**/test_*.py").matches("test_a.py")
    assert compile_glob("**/test_*.py").matches("a/b/test_a.py")


def test_an_ignored_directory_named_explicitly_is_walked(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    make(tmp_path, {".gitignore": "vendor/\n*_pb2.py\n", "vendor/lib/a.py": "", "vendor/lib/b_pb2.py": ""})
    assert names(tmp_path) == []
    assert names(tmp_path, str(tmp_path / "vendor")) == ["vendor/lib/a.py", "vendor/lib/b_pb2.py"]
