"""The project around the checked files: import roots, top-level names, and the modules to read.

pre-commit passes only the staged files and an editor only its buffer; the project modules they
import are read too (never reported on) so names resolve and helpers can be followed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from loopguard.analysis.stages import Indexed
from loopguard.discovery.files import absolute
from loopguard.discovery.modules import top_level_names
from loopguard.discovery.namespaces import ImportAliases
from loopguard.jobs import Job, display_path


def directory_above(directory: str, levels: int) -> str:
    for _ in range(levels):
        directory = os.path.dirname(directory)
    return directory


def import_roots(modules: Sequence[tuple[Path, str]]) -> list[str]:
    """The import roots of the named modules (the directory each one's top-level package sits
    in: what would be on sys.path); the files of one directory share theirs (a module
    one level deeper than its package, or an ``__init__`` at its package's depth), so it is
    worked out once per directory and depth."""
    roots: dict[tuple[str, int], str] = {}
    for path, module in modules:
        if module:
            depth = module.count(".") + (1 if path.stem == "__init__" else 0)
            key = (os.path.dirname(absolute(path)), depth)
            if key not in roots:
                roots[key] = directory_above(*key)
    return sorted(set(roots.values()))


def project_tops(roots: Sequence[str]) -> frozenset[str]:
    """The top-level names importable from the project's roots: references under them are the
    project's own, resolved across modules; anything else is a library."""
    return top_level_names(roots)


class Directories:
    """Which directories exist, asked of the disk once per directory in a run. The imports of a
    project name the same packages again and again, under every import root; under the roots
    where a package is not (a folder of scripts is a root of its own), each name asked for its
    ``.py``, its ``__init__.py`` and its folder: 16,900 failed ``stat`` calls (~0.1 s) in
    homeassistant's context stage, where now the first missing folder answers for all below it.
    A directory the discovery walked exists."""

    def __init__(self, walked: frozenset[str] = frozenset()) -> None:
        self.walked = walked
        self.known: dict[str, bool] = {}

    def exists(self, path: str) -> bool:
        found = self.known.get(path)
        if found is None:
            if path in self.walked:
                found = True
            else:
                parent = os.path.dirname(path)
                found = (parent == path or self.exists(parent)) and os.path.isdir(path)
            self.known[path] = found
        return found


def module_file(
    name: str, roots: Sequence[str], walked: frozenset[str] = frozenset(), directories: Directories | None = None
) -> Path | None:
    """The file of module ``name`` under one of the roots. In a directory the discovery walked, every
    module (or package) there was found or excluded already, so the disk is not asked again; nor
    in one that does not exist (``directories``)."""
    for base in module_bases(name, roots, walked):
        if directories is not None and not directories.exists(os.path.dirname(base)):
            continue
        for candidate in (base + ".py", os.path.join(base, "__init__.py")):
            if os.path.isfile(candidate):
                return Path(candidate)
    return None


def module_bases(name: str, roots: Sequence[str], walked: frozenset[str] = frozenset()) -> list[str]:
    """Where module ``name`` would be under each root, as ``base.py`` or the package ``base/``,
    outside the directories the discovery walked."""
    parent, _, last = name.rpartition(".")
    bases = []
    for root in roots:
        container = os.path.join(root, *parent.split(".")) if parent else root
        if container not in walked:
            bases.append(os.path.join(container, last))
    return bases


def absent_paths(name: str, roots: Sequence[str], walked: frozenset[str] = frozenset()) -> list[str]:
    """The paths that, if one came to exist, would make ``name`` a module (or a namespace package)
    where none was found: a run that read no file for it is out of date once one appears."""
    return [path for base in module_bases(name, roots, walked) for path in (base + ".py", base)]


def is_namespace_package(name: str, roots: Sequence[str], directories: Directories | None = None) -> bool:
    """Whether ``name`` is a directory without ``__init__.py`` under a root (PEP 420): nothing to
    read, but the modules below it are modules."""
    exists = directories.exists if directories is not None else os.path.isdir
    return any(exists(os.path.join(root, *name.split("."))) for root in roots)


def imported_package(name: str, path: Path) -> str:
    """The package of module ``name`` found at ``path`` (a package is its own)."""
    return name if path.stem == "__init__" else name.rpartition(".")[0]


def context_job(name: str, path: Path, cwd: Path, aliases: ImportAliases) -> Job:
    """The job of a module read for context, named as imported: that is the name the importing
    modules resolve against."""
    package = imported_package(name, path)
    return Job(path, display_path(path, cwd), path.as_posix(), name, package, aliases.of(path))


def follow_imports(
    indexed: Sequence[Indexed],
    index_jobs: Callable[[list[Job]], list[Indexed]],
    roots: Sequence[str],
    tops: frozenset[str],
    walked: frozenset[str] = frozenset(),
    absent: list[str] | None = None,
) -> list[Indexed]:
    """Index the project modules the checked files import but that were not given (pre-commit passes
    only the staged files; an editor only its buffer), so their names still resolve. Context modules
    are never reported on. ``absent`` collects where the project modules imported but not found
    would be (``absent_paths``), for the whole-run cache."""
    summaries = [item.summary for item in indexed if item.summary is not None]
    known = {summary.module for summary in summaries}
    # a name below a plain module (not a package) is an attribute, never a module file
    modules = {s.module for item, s in ((i, i.summary) for i in indexed) if s is not None and item.path.stem != "__init__"}
    context: list[Indexed] = []
    aliases = ImportAliases(roots)
    directories = Directories(walked)
    frontier = list(indexed)
    while frontier:
        wanted: dict[str, Path] = {}
        for item in frontier:
            if item.summary is None:
                continue
            for name in sorted(item.summary.imports, key=len):
                if name in modules:
                    continue  # what follows would add it again: a module, or below one
                parent = name.rpartition(".")[0]
                if parent in modules:
                    modules.add(name)  # an attribute of a module: nothing below it is a module
                    continue
                if name in known or name.partition(".")[0] not in tops:
                    continue
                known.add(name)
                path = module_file(name, roots, walked, directories)
                if path is not None:
                    wanted[name] = path
                    if path.stem != "__init__":
                        modules.add(name)
                elif not is_namespace_package(name, roots, directories):
                    modules.add(name)  # not a module: nothing below it is one either
                    if absent is not None:
                        absent += absent_paths(name, roots, walked)
        cwd = Path.cwd()
        jobs = [context_job(name, path, cwd, aliases) for name, path in wanted.items()]
        frontier = [replace(item, context=True) for item in index_jobs(jobs)] if jobs else []
        context += frontier
    return context
