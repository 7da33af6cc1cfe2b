"""Which files a run checks: default skips, hidden directories, .gitignore/.ignore, excludes."""

from __future__ import annotations

from pathlib import Path

from loopguard.discovery.files import discover, listings
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


def test_listings_walk_as_os_walk_does(tmp_path: Path) -> None:
    """The scandir walk gives os.walk's directories, in its order, with symlinked directories
    listed but not entered, and each entry's kind without a stat of every file."""
    import os

    for name in ("a/b/c", "a/d", "e"):
        (tmp_path / name).mkdir(parents=True)
    for name in ("a/x.py", "a/b/y.py", "a/b/c/z.pyi", "e/w.py", "top.py"):
        (tmp_path / name).write_text("")
    (tmp_path / "link").symlink_to(tmp_path / "a", target_is_directory=True)
    (tmp_path / "e" / "file_link.py").symlink_to(tmp_path / "top.py")
    (tmp_path / "e" / "dangling.py").symlink_to(tmp_path / "missing.py")
    os.mkfifo(tmp_path / "e" / "pipe.py")

    def sort_in_place(subdirectories: list[str]) -> None:
        subdirectories.sort()

    expected = []
    for directory, subdirectories, filenames in os.walk(tmp_path):
        sort_in_place(subdirectories)
        expected.append((directory, sorted(subdirectories), sorted(filenames)))
    seen = []
    kinds: dict[str, bool | None] = {}
    for directory, subdirectories, entries in listings(str(tmp_path), lambda error: None):
        sort_in_place(subdirectories)
        seen.append((directory, sorted(subdirectories), sorted(n for n, k in entries.items() if k is not None)))
        kinds.update({os.path.join(directory, n): k for n, k in entries.items()})
    assert seen == expected
    e = tmp_path / "e"
    assert [kinds[str(e / n)] for n in ("w.py", "file_link.py", "dangling.py", "pipe.py")] == [True, True, False, False]


def test_discovery_says_which_walked_directories_hold_configuration_files(tmp_path: Path) -> None:
    (tmp_path / "inner" / "deeper").mkdir(parents=True)
    (tmp_path / "inner" / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "inner" / "deeper" / "loopguard.toml").write_text("")
    (tmp_path / "inner" / "deeper" / "m.py").write_text("")
    found = discover((str(tmp_path),), tmp_path, ())
    assert found.configured == {str(tmp_path / "inner"), str(tmp_path / "inner" / "deeper")}
    assert found.walked == found.configured | {str(tmp_path)}


def test_a_typed_path_is_named_as_the_discovered_one(tmp_path: Path) -> None:
    """``--stdin-filename src/app/../shop/api.py`` names the buffer as the file on disk is named."""
    from loopguard.discovery.modules import module_name, named_module, source_roots

    (tmp_path / "src" / "shop").mkdir(parents=True)
    (tmp_path / "src" / "app").mkdir()
    (tmp_path / "src" / "shop" / "__init__.py").write_text("")
    (tmp_path / "src" / "shop" / "api.py").write_text("")
    roots = source_roots(tmp_path)
    typed = str(tmp_path / "src" / "app" / ".." / "shop" / "api.py")
    discovered = discover((str(tmp_path),), tmp_path, ()).files
    assert [module_name(path, roots) for path in discovered if path.name == "api.py"] == [("shop.api", "shop")]
    assert named_module(typed, roots) == ("shop.api", "shop")
