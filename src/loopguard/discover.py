"""Paths on the command line -> the Python files to check.

Directories are walked for ``*.py`` and ``*.pyi``, pruning the directories no project wants linted
(VCS metadata, virtualenvs, build output, caches, hidden directories — a hidden directory is checked
only when it is named on the command line), the configured ``exclude`` globs, and what the
``.gitignore`` and ``.ignore`` files of the repository ignore (gitignore semantics through ``pathspec``;
``respect-gitignore = false`` turns that off). A file named
explicitly is always checked, as flake8 and ruff do, unless ``force_exclude`` is set (pre-commit
passes every staged file explicitly, and the configured excludes must still apply there).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pathspec

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
    files: tuple[Path, ...]  # absolute
    missing: tuple[str, ...]  # paths given on the command line that do not exist
    walked: frozenset[str] = frozenset()  # every directory listed, absolute: no unknown file is there


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


def absolute(path: Path | str) -> str:
    """An absolute path without touching the filesystem (no symlink resolution). Paths that are
    already absolute are taken as they are: discovery normalises what the user typed once, and
    everything it finds is built from that."""
    text = os.fspath(path)
    return text if text.startswith(os.sep) else os.path.abspath(text)


def relative_to_root(path: Path | str, root: Path | str) -> str:
    """``path`` relative to ``root`` in posix form, or absolute when it is outside."""
    full, base = absolute(path), absolute(root)
    if full == base:
        return "."
    if full.startswith(base.rstrip(os.sep) + os.sep):
        return full[len(base.rstrip(os.sep)) + 1 :].replace(os.sep, "/")
    return full.replace(os.sep, "/")


IGNORE_FILES = (".gitignore", ".ignore")


@lru_cache(maxsize=1024)
def ignore_spec(directory: str) -> pathspec.GitIgnoreSpec | None:
    """The patterns of a directory's .gitignore and .ignore files (gitignore semantics), if any."""
    lines: list[str] = []
    for name in IGNORE_FILES:
        try:
            with open(os.path.join(directory, name), encoding="utf-8", errors="replace") as handle:
                lines += handle.read().splitlines()
        except OSError:
            continue
    return pathspec.GitIgnoreSpec.from_lines(lines) if lines else None


def repository_top(start: Path) -> Path | None:
    """The nearest directory at or above ``start`` holding ``.git``: where .gitignore files stop."""
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


def ancestors_with_ignores(top: Path) -> list[Path]:
    """``top``'s ancestors up to the repository's top, whose ignore files apply below them too."""
    top = top.resolve()
    stop = repository_top(top)
    if stop is None:
        return []
    return [d for d in (top, *top.parents) if d == stop or stop in d.parents][1:]


def is_ignored(path: str, is_dir: bool, specs: list[tuple[str, pathspec.GitIgnoreSpec]]) -> bool:
    """Whether any .gitignore/.ignore of an enclosing directory ignores ``path``."""
    for base, spec in specs:
        relative = os.path.relpath(path, base).replace(os.sep, "/")
        if spec.match_file(relative + "/" if is_dir else relative):
            return True
    return False


def discover(
    paths: tuple[str, ...],
    root: Path,
    exclude: tuple[str, ...],
    force_exclude: bool = False,
    respect_gitignore: bool = True,
) -> Discovery:
    files: list[Path] = []
    missing: list[str] = []
    seen: set[str] = set()
    walked: set[str] = set()
    for raw in paths:
        path = Path(os.path.abspath(raw))  # normalised once: "a/../b" -> "/cwd/b"
        if path.is_dir():
            found = walk(path, root, exclude, respect_gitignore, walked)
        elif path.exists():
            if force_exclude and is_excluded(relative_to_root(path, root), exclude):
                continue
            found = [path]
        else:
            missing.append(raw)
            continue
        for file in found:
            key = absolute(file)
            if key not in seen:
                seen.add(key)
                files.append(file)
    return Discovery(tuple(files), tuple(missing), frozenset(walked))


def walk(
    top: Path, root: Path, exclude: tuple[str, ...], respect_gitignore: bool = True, walked: set[str] | None = None
) -> list[Path]:
    found: list[Path] = []
    inherited: list[tuple[str, pathspec.GitIgnoreSpec]] = []
    if respect_gitignore:
        for ancestor in ancestors_with_ignores(top):
            spec = ignore_spec(str(ancestor))
            if spec is not None:
                inherited.append((str(ancestor), spec))
        if inherited and is_ignored(str(top.resolve()), True, inherited):
            inherited = []  # an ignored directory named explicitly is checked, like an ignored file
    specs_by_directory: dict[str, list[tuple[str, pathspec.GitIgnoreSpec]]] = {}
    for directory, subdirectories, filenames in os.walk(str(top)):
        if walked is not None:
            walked.add(directory)
        base = Path(directory)
        parent_specs = specs_by_directory.get(directory, inherited)
        specs = parent_specs
        if respect_gitignore:
            own = ignore_spec(str(directory))
            if own is not None:
                specs = [*parent_specs, (directory, own)]
        subdirectories[:] = sorted(
            name
            for name in subdirectories
            if name not in SKIPPED_DIRECTORIES
            and not name.startswith(".")
            and not name.endswith(".egg-info")
            and not (exclude and is_excluded(relative_to_root(base / name, root), exclude))
            and not (specs and is_ignored(os.path.join(directory, name), True, specs))
        )
        for name in subdirectories:
            specs_by_directory[os.path.join(directory, name)] = specs
        for name in sorted(filenames):
            if name.endswith(PYTHON_SUFFIXES):
                path = base / name
                if exclude and is_excluded(relative_to_root(path, root), exclude):
                    continue
                if specs and is_ignored(str(path), False, specs):
                    continue
                found.append(path)
    return found
