"""Files -> results, in a process pool when there is enough work to pay for one."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from loopguard import catalogue
from loopguard.config import Config
from loopguard.discover import discover, relative_to_root
from loopguard.engine import (
    Confirmation,
    Indexed,
    Settings,
    confirm_file,
    index_file,
    index_source,
    make_settings,
    module_name,
    plan_confirmation,
)
from loopguard.index import ModuleIndex
from loopguard.models import FileResult
from loopguard.project import Project

T = TypeVar("T")
R = TypeVar("R")

# below this many files the pool's start-up (a fork and an import per worker) costs more than it saves
MIN_FILES_PER_WORKER = 64


@dataclass(frozen=True, slots=True)
class Job:
    path: Path
    display: str
    relative: str


def display_path(path: Path, cwd: Path) -> str:
    """Relative to the working directory when under it, else absolute (DESIGN.md)."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(cwd).as_posix()
    except ValueError:
        return resolved.as_posix()


def make_jobs(files: Sequence[Path], root: Path, cwd: Path) -> list[Job]:
    return [Job(f, display_path(f, cwd), relative_to_root(f, root)) for f in files]


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _index_chunk(chunk: list[Job]) -> list[Indexed]:
    return [index_file(job.path, job.display, job.relative) for job in chunk]


def _confirm_chunk(chunk: list[Confirmation]) -> list[FileResult]:
    return [confirm_file(plan) for plan in chunk]


def chunked(items: Sequence[T], workers: int) -> list[list[T]]:
    # many small chunks balance the load between workers
    size = max(8, len(items) // (workers * 16))
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def build_project(indexed: Sequence[Indexed]) -> Project:
    modules: dict[str, ModuleIndex] = {}
    for item in indexed:
        if item.index is not None:
            modules.setdefault(item.index.module, item.index)
    return Project(modules, catalogue.RETURNS, catalogue.ALIASES)


@dataclass(frozen=True, slots=True)
class StdinSource:
    """A buffer from standard input, reported as ``path`` (what editors send for unsaved files)."""

    data: bytes
    path: Path


def check_jobs(
    jobs: list[Job], settings: Settings, workers: int, stdin: StdinSource | None = None, root: Path | None = None
) -> list[FileResult]:
    """Index every file, resolve across the project, then confirm the candidates with libcst."""
    workers = max(1, min(workers, len(jobs) // MIN_FILES_PER_WORKER))
    with ExitStack() as stack:
        pool = stack.enter_context(ProcessPoolExecutor(max_workers=workers)) if workers > 1 else None

        def run(function: Callable[[list[T]], list[R]], items: Sequence[T]) -> list[R]:
            if pool is None or len(items) < MIN_FILES_PER_WORKER:
                return function(list(items))
            return [result for part in pool.map(function, chunked(items, workers)) for result in part]

        indexed = run(_index_chunk, jobs)
        if stdin is not None:
            indexed.append(index_stdin(stdin, root or Path.cwd()))
        context = follow_imports(indexed, lambda found: run(_index_chunk, found))
        project = build_project([*indexed, *context])
        plans = [p for p in (plan_confirmation(item, project, settings) for item in indexed) if p]
        confirmed = {result.path: result for result in run(_confirm_chunk, plans)}
    results = []
    for item in indexed:
        if item.error is not None:
            results.append(item.error)
        else:
            results.append(confirmed.get(item.display, FileResult(item.display)))
    return results


def index_stdin(stdin: StdinSource, root: Path) -> Indexed:
    display = display_path(stdin.path, Path.cwd().resolve()) if stdin.path.name != "-" else "-"
    module, package = module_name(stdin.path) if stdin.path.name != "-" else ("__stdin__", "")
    relative = relative_to_root(stdin.path, root)
    return index_source(stdin.data, stdin.path, display, relative, module, package, keep_source=True)


def import_root(item: Indexed) -> Path | None:
    """The directory a module's top-level package sits in (what would be on sys.path)."""
    if item.index is None:
        return None
    depth = item.index.module.count(".") + (1 if item.path.stem == "__init__" else 0)
    parents = item.path.resolve().parents
    return parents[depth] if depth < len(parents) else None


def module_file(name: str, roots: Sequence[Path]) -> Path | None:
    relative = name.replace(".", os.sep)
    for root in roots:
        for candidate in (f"{root}{os.sep}{relative}.py", f"{root}{os.sep}{relative}{os.sep}__init__.py"):
            if os.path.isfile(candidate):
                return Path(candidate)
    return None


def imported_names(index: ModuleIndex) -> set[str]:
    """Every qualified name the module imports, and each of its dotted prefixes."""
    names = set()
    for scope in index.scopes:
        for bindings in scope.bindings.values():
            for binding in bindings:
                if binding[0] == "ref":
                    parts = str(binding[1]).split(".")
                    names.update(".".join(parts[:n]) for n in range(1, len(parts) + 1))
    return names


def list_directory(directory: Path) -> list[str]:
    try:
        return os.listdir(directory)
    except OSError:
        return []


def follow_imports(
    indexed: Sequence[Indexed], index_jobs: Callable[[list[Job]], list[Indexed]]
) -> list[Indexed]:
    """Index the project modules the checked files import but that were not given (pre-commit passes
    only the staged files; an editor only its buffer), so their names still resolve. Context modules
    are never reported on."""
    roots = sorted({r for r in map(import_root, indexed) if r is not None and r.is_dir()})
    tops = {entry.partition(".")[0] for root in roots for entry in list_directory(root)}
    known = {item.index.module for item in indexed if item.index is not None}
    # a name below a plain module (not a package) is an attribute, never a module file
    modules = {item.index.module for item in indexed if item.index is not None and item.path.stem != "__init__"}
    context: list[Indexed] = []
    frontier = list(indexed)
    while frontier:
        wanted: dict[str, Path] = {}
        for item in frontier:
            if item.index is None:
                continue
            for name in sorted(imported_names(item.index), key=len):
                parent = name.rpartition(".")[0]
                if name in known or parent in modules or name.partition(".")[0] not in tops:
                    continue
                known.add(name)
                path = module_file(name, roots)
                if path is not None:
                    wanted[name] = path
                    if path.stem != "__init__":
                        modules.add(name)
                else:
                    modules.add(name)  # not a module: nothing below it is one either
        jobs = [Job(path, path.as_posix(), path.as_posix()) for path in wanted.values()]
        frontier = [replace(item, context=True) for item in index_jobs(jobs)] if jobs else []
        context += frontier
    return context


def check_paths(
    paths: Sequence[Path], config: Config, cwd: Path | None = None, workers: int = 1
) -> list[FileResult]:
    """Check files and directories with ``config``: the library entry point the CLI and tests use."""
    cwd = (cwd or Path.cwd()).resolve()
    found = discover(tuple(str(p) for p in paths), config.root, config.exclude, False, config.respect_gitignore)
    return check_jobs(make_jobs(found.files, config.root, cwd), make_settings(config), workers)
