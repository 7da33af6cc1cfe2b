"""The unit of work: one file to check, and what the workers need to check it."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from loopguard.analysis.stages import Indexed
from loopguard.discovery.files import relative_to, relative_to_root
from loopguard.discovery.modules import module_name, named_module, source_roots
from loopguard.discovery.namespaces import Aliases, ImportAliases, import_aliases


@dataclass(frozen=True)  # not slotted: it crosses processes, and slotted dataclasses pickle slowly
class Job:
    path: Path
    display: str
    relative: str
    module: str = ""
    package: str = ""
    aliases: Aliases = ()  # what its absolute imports may stand for (discovery.namespaces)


def display_path(path: Path, cwd: Path) -> str:
    """Relative to the working directory when under it, else absolute (DESIGN.md)."""
    return relative_to_root(path, cwd)


def make_jobs(files: Sequence[Path], root: Path, cwd: Path, roots: tuple[str, ...] | None = None) -> list[Job]:
    """A job per file, named from the project's source ``roots`` (found from ``root`` by default)."""
    roots = source_roots(root) if roots is None else roots
    displayed, relative = relative_to(cwd), relative_to(root)
    aliases = ImportAliases(roots)
    jobs = []
    for file in files:
        text = os.fspath(file)
        jobs.append(Job(file, displayed(text), relative(text), *module_name(text, roots), aliases.of(text)))
    return jobs


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@dataclass(frozen=True, slots=True)
class Fresh:
    """A file indexed by a worker, with what the main process records in the cache: the file's
    digest and stat for the manifest, and the entry's packed bytes as the worker wrote or read
    them, for the next pack (None without a cache)."""

    indexed: Indexed
    digest: str | None
    stat: os.stat_result | None
    payload: bytes | None = None


@dataclass(frozen=True, slots=True)
class StdinSource:
    """A buffer from standard input, reported as ``path`` (what editors send for unsaved files)."""

    data: bytes
    path: Path
    module: str = "__stdin__"  # the module of ``path`` in its project (``--stdin-filename``)
    package: str = ""
    aliases: Aliases = ()


def stdin_source(data: bytes, filename: Path | None, roots: tuple[str, ...]) -> StdinSource:
    """The buffer named as ``filename`` gets that file's module name, so that its imports resolve
    and it resolves the same as the file on disk; an unnamed buffer is ``__stdin__``."""
    if filename is None:
        return StdinSource(data, Path("-"))
    aliases = import_aliases(os.path.abspath(filename), roots)
    return StdinSource(data, filename, *named_module(filename, roots), aliases)
