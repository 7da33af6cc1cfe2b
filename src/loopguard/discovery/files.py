"""Paths on the command line -> the Python files to check.

Directories are walked for ``*.py`` and ``*.pyi``, pruning the directories no project wants linted
(VCS metadata, virtualenvs, build output, caches, hidden directories — a hidden directory is checked
only when it is named on the command line), the configured ``exclude`` globs, and what the
``.gitignore`` and ``.ignore`` files of the repository ignore (git's semantics, ``gitignore.py``;
``respect-gitignore = false`` turns that off). A file named
explicitly is always checked, as flake8 and ruff do, unless ``force_exclude`` is set (pre-commit
passes every staged file explicitly, and the configured excludes must still apply there).

The tree may be hostile, so nothing here reads a file or follows a symlinked directory: symlinked
directories are not walked (no loop can form), a walked entry that is not a regular file (a FIFO, a
socket, a symlink to ``/dev/zero``) is skipped unread, since only regular files hold source, and a
directory named ``x.py`` is walked as a directory. What cannot be checked is never skipped without
a word: a path named on the command line that does not exist is in ``missing``; one that is not a
regular file or directory, or cannot be examined, and every directory that cannot be listed, is a
``Problem`` (the command line reports it as LG001, exit status 2).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from loopguard.config import CONFIG_FILE_NAMES
from loopguard.discovery.gitignore import IgnoreSpec, IgnoreSpecs, ignored_with_parents, is_ignored
from loopguard.discovery.globs import compile_globs
from loopguard.safeio import file_kind, read_regular_file

SKIPPED_DIRECTORIES = frozenset(
    {
        ".git", ".hg", ".svn", ".venv", "venv", ".env", "env", "build", "dist", "node_modules",
        "__pycache__", ".tox", ".nox", "site-packages", ".mypy_cache", ".pytest_cache",
        ".ruff_cache", ".loopguard_cache", ".eggs",
    }
)
PYTHON_SUFFIXES = (".py", ".pyi")


@dataclass(frozen=True, slots=True)
class Problem:
    """A path that could not be checked, and why (``cannot read directory: Permission denied``)."""

    path: Path
    reason: str


@dataclass(frozen=True, slots=True)
class Discovery:
    files: tuple[Path, ...]  # absolute
    missing: tuple[str, ...]  # paths given on the command line that do not exist
    walked: frozenset[str] = frozenset()  # every directory listed, absolute: no unknown file is there
    problems: tuple[Problem, ...] = ()  # paths that exist but cannot be checked
    #: the walked directories that hold a file named like a configuration file (the others have none)
    configured: frozenset[str] = frozenset()


def is_excluded(relative: str, patterns: tuple[str, ...]) -> bool:
    """Whether a '/'-separated path relative to the root matches a glob (linear time: globs.py)."""
    return compile_globs(patterns).matches(relative)


def absolute(path: Path | str) -> str:
    """An absolute path without touching the filesystem (no symlink resolution). Paths that are
    already absolute are taken as they are: discovery normalises what the user typed once, and
    everything it finds is built from that."""
    text = os.fspath(path)
    return text if text.startswith(os.sep) else os.path.abspath(text)


def relative_to_root(path: Path | str, root: Path | str) -> str:
    """``path`` relative to ``root`` in posix form, or absolute when it is outside."""
    return relative_to(root)(path)


def relative_to(root: Path | str) -> Callable[[Path | str], str]:
    """``relative_to_root`` with ``root`` worked out once, for the many paths of one root."""
    base = absolute(root)
    prefix = base.rstrip(os.sep) + os.sep

    def relative(path: Path | str) -> str:
        full = absolute(path)
        if full == base:
            return "."
        if full.startswith(prefix):
            return full[len(prefix) :].replace(os.sep, "/")
        return full.replace(os.sep, "/")

    return relative


IGNORE_FILES = (".gitignore", ".ignore")
IGNORE_FILES_SET = frozenset(IGNORE_FILES)


@lru_cache(maxsize=1024)
def ignore_spec(directory: str) -> IgnoreSpec | None:
    """The patterns of a directory's .gitignore and .ignore files (gitignore semantics), if any."""
    lines: list[str] = []
    for name in IGNORE_FILES:
        try:  # never blocking: a FIFO named .gitignore must not hang the run
            data = read_regular_file(os.path.join(directory, name), MAX_IGNORE_FILE_BYTES)
        except OSError:
            continue
        lines += data[:MAX_IGNORE_FILE_BYTES].decode("utf-8", errors="replace").splitlines()
    return IgnoreSpec(lines) if lines else None


# A .gitignore is a few kilobytes; a bigger one is read up to this much (git itself gives up on
# ignore files over 100 MB).
MAX_IGNORE_FILE_BYTES = 1024 * 1024


def repository_top(start: Path) -> Path | None:
    """The nearest directory at or above ``start`` holding ``.git``: where .gitignore files stop."""
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


def ancestors_with_ignores(top: Path) -> list[Path]:
    """``top``'s ancestors up to the repository's top, outermost first, whose ignore files apply
    below them too. Lexical, not resolved: they must prefix the paths the walk builds from
    ``top``."""
    stop = repository_top(top)
    if stop is None:
        return []
    return [d for d in reversed(top.parents) if d == stop or stop in d.parents]


NOT_FOUND = (errno.ENOENT, errno.ENOTDIR)


#: A listed directory: its path, the names of the subdirectories to enter (pruned in place, as
#: with ``os.walk``), and every entry's name -> None for a directory, True for a regular file with
#: a name to check (known from the listing, without a ``stat``: what makes a warm run's walk
#: cheap), False for anything else (such a name to check is examined when it is walked).
Listing = tuple[str, list[str], dict[str, "bool | None"]]


def listings(top: str, onerror: Callable[[OSError], None]) -> Iterator[Listing]:
    """``os.walk(top)``, top-down, with each entry's kind from ``os.scandir``: the same order
    (depth first, the subdirectories in the order the caller leaves them), the same errors (a
    directory that cannot be listed goes to ``onerror`` and is skipped), and symlinked
    directories listed but never entered."""
    pending = [top]
    while pending:
        directory = pending.pop()
        entries: dict[str, bool | None] = {}
        subdirectories: list[str] = []
        linked: set[str] = set()
        try:
            with os.scandir(directory) as listing:
                for entry in listing:
                    name = entry.name
                    if is_directory(entry):
                        entries[name] = None
                        subdirectories.append(name)
                        if entry.is_symlink():
                            linked.add(name)
                    else:  # most are data files: only a name to check is worth a look
                        entries[name] = name.endswith(PYTHON_SUFFIXES) and is_regular(entry)
        except OSError as error:
            onerror(error)
            continue
        yield directory, subdirectories, entries
        pending.extend(
            os.path.join(directory, name) for name in reversed(subdirectories) if name not in linked
        )


def is_directory(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()  # through symlinks, as os.walk lists them
    except OSError:
        return False


def is_regular(entry: os.DirEntry[str]) -> bool:
    """Whether the entry is certainly a regular file (a symlink to one included); False for a
    FIFO, a device, a dangling symlink or one that cannot be examined."""
    try:
        return entry.is_file()
    except OSError:
        return False


def walked_mode(path: str) -> int | None:
    """The mode of a walked name, through symlinks; None when it cannot be examined (a dangling
    symlink), so reading it reports the real error."""
    try:
        return os.stat(path).st_mode
    except OSError:
        return None


def discover(
    paths: tuple[str, ...],
    root: Path,
    exclude: tuple[str, ...],
    force_exclude: bool = False,
    respect_gitignore: bool = True,
) -> Discovery:
    files: list[Path] = []
    missing: list[str] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    walked: set[str] = set()
    configured: set[str] = set()
    for raw in paths:
        path = Path(os.path.abspath(raw))  # normalised once: "a/../b" -> "/cwd/b"
        try:
            mode = os.stat(path).st_mode
        except OSError as error:
            if error.errno in NOT_FOUND:
                missing.append(raw)
            else:  # a symlink loop, a directory we may not search
                problems.append(Problem(path, f"cannot examine path: {error.strerror}"))
            continue
        if stat.S_ISDIR(mode):
            found = walk(path, root, exclude, respect_gitignore, walked, problems, configured)
        elif not stat.S_ISREG(mode):  # reading a FIFO would wait forever
            problems.append(Problem(path, f"cannot check {file_kind(mode)}: not a regular file"))
            continue
        elif force_exclude and is_excluded(relative_to_root(path, root), exclude):
            continue
        else:
            found = [path]
        for file in found:
            key = absolute(file)
            if key not in seen:
                seen.add(key)
                files.append(file)
    return Discovery(
        tuple(files), tuple(missing), frozenset(walked), tuple(problems), frozenset(configured)
    )


def walk(
    top: Path,
    root: Path,
    exclude: tuple[str, ...],
    respect_gitignore: bool = True,
    walked: set[str] | None = None,
    problems: list[Problem] | None = None,
    configured: set[str] | None = None,
) -> list[Path]:
    found: list[Path] = []
    inherited: IgnoreSpecs = []
    if respect_gitignore:
        for ancestor in ancestors_with_ignores(top):
            spec = ignore_spec(str(ancestor))
            if spec is not None:
                inherited = [*inherited, (str(ancestor), spec)]
        if inherited and ignored_with_parents(str(top), inherited):
            inherited = []  # an ignored directory named explicitly is checked, like an ignored file

    def unreadable(error: OSError) -> None:
        if problems is not None:
            where = Path(error.filename) if error.filename else top
            problems.append(Problem(where, f"cannot read directory: {error.strerror}"))

    specs_by_directory: dict[str, IgnoreSpecs] = {}
    relative = relative_to(root)
    for directory, subdirectories, entries in listings(str(top), unreadable):
        if walked is not None:
            walked.add(directory)
        if configured is not None and not CONFIG_FILE_NAMES.isdisjoint(entries):
            configured.add(directory)
        base = Path(directory)
        parent_specs = specs_by_directory.get(directory, inherited)
        specs = parent_specs
        if respect_gitignore and not IGNORE_FILES_SET.isdisjoint(entries):
            own = ignore_spec(str(directory))
            if own is not None:
                specs = [*parent_specs, (directory, own)]
        subdirectories[:] = sorted(
            name
            for name in subdirectories
            if name not in SKIPPED_DIRECTORIES
            and not name.startswith(".")
            and not name.endswith(".egg-info")
            and not (exclude and is_excluded(relative(base / name), exclude))
            and not (specs and is_ignored(os.path.join(directory, name), True, specs))
        )
        for name in subdirectories:
            specs_by_directory[os.path.join(directory, name)] = specs
        for name in sorted(entries):
            regular = entries[name]
            if regular is None or not name.endswith(PYTHON_SUFFIXES):
                continue  # a directory (walked, or not, above)
            path = base / name
            if exclude and is_excluded(relative(path), exclude):
                continue
            if specs and is_ignored(str(path), False, specs):
                continue
            mode = None if regular else walked_mode(str(path))
            if regular or mode is None or stat.S_ISREG(mode):
                found.append(path)
            elif problems is not None:  # reading a FIFO or a device would wait or never end
                problems.append(Problem(path, f"cannot check {file_kind(mode)}: not a regular file"))
    return found
