"""Paths on the command line -> the Python files to check.

Directories are walked for ``*.py`` and ``*.pyi``, pruning the directories no project wants linted
(VCS metadata, virtualenvs, build output, caches, hidden directories — a hidden directory is checked
only when it is named on the command line) and the configured ``exclude`` globs. A file named
explicitly is always checked, as flake8 and ruff do, unless ``force_exclude`` is set (pre-commit
passes every staged file explicitly, and the configured excludes must still apply there).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SKIPPED_DIRECTORIES = frozenset(
    {
        ".git", ".hg", ".svn", ".venv", "venv", ".env", "env", "build", "dist", "node_modules",
        "__pycache__", ".tox", ".nox", "site-packages", ".mypy_cache", ".pytest_cache",
        ".ruff_cache", ".loopguard_cache", ".eggs",
    }
)
PYTHON_SUFFIXES = (".py", ".pyi")


@dataclass(frozen=True, slots=True)
class Discovery:
    files: tuple[Path, ...]
    missing: tuple[str, ...]  # paths given on the command line that do not exist


@lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """A gitignore-like glob as a regex over '/'-separated relative paths.

    ``*`` and ``?`` stay inside one path segment, ``**`` spans segments, and a pattern without a
    slash matches a file or directory name at any depth (``migrations`` excludes every migrations
    directory), as in ruff's ``exclude``.
    """
    anchored = "/" in pattern.rstrip("/")
    pattern = pattern.strip("/")
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        else:
            out.append(re.escape(char))
        i += 1
    body = "".join(out)
    prefix = "" if anchored else "(?:.*/)?"
    # a pattern matching a directory also matches everything below it
    return re.compile(f"^{prefix}{body}(?:/.*)?$")


def is_excluded(relative: str, patterns: tuple[str, ...]) -> bool:
    return any(glob_regex(pattern).match(relative) for pattern in patterns)


def relative_to_root(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def discover(
    paths: tuple[str, ...], root: Path, exclude: tuple[str, ...], force_exclude: bool = False
) -> Discovery:
    files: list[Path] = []
    missing: list[str] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = walk(path, root, exclude)
        elif path.exists():
            if force_exclude and is_excluded(relative_to_root(path, root), exclude):
                continue
            found = [path]
        else:
            missing.append(raw)
            continue
        for file in found:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                files.append(file)
    return Discovery(tuple(files), tuple(missing))


def walk(top: Path, root: Path, exclude: tuple[str, ...]) -> list[Path]:
    found: list[Path] = []
    for directory, subdirectories, filenames in os.walk(top):
        base = Path(directory)
        subdirectories[:] = sorted(
            name
            for name in subdirectories
            if name not in SKIPPED_DIRECTORIES
            and not name.startswith(".")
            and not name.endswith(".egg-info")
            and not (exclude and is_excluded(relative_to_root(base / name, root), exclude))
        )
        for name in sorted(filenames):
            if name.endswith(PYTHON_SUFFIXES):
                path = base / name
                if not (exclude and is_excluded(relative_to_root(path, root), exclude)):
                    found.append(path)
    return found
