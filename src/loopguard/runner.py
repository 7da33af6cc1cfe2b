"""Files -> results, in a process pool when there is enough work to pay for one."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from itertools import repeat
from pathlib import Path
from typing import TypeVar

from loopguard.cache import Cache, content_hash, entry_key
from loopguard.config import Config
from loopguard.discover import absolute, discover, relative_to_root
from loopguard.engine import (
    Confirmation,
    Indexed,
    Settings,
    confirm_file,
    file_error,
    index_source,
    internal_error,
    make_settings,
    module_name,
    source_roots,
)
from loopguard.index import ModuleIndex
from loopguard.match import Matcher
from loopguard.models import FileResult
from loopguard.plans import Planner
from loopguard.summary import decode, encode
from loopguard.transitive import CallGraph
from loopguard.world import GlobalProject

T = TypeVar("T")
R = TypeVar("R")

# below this many files the pool's start-up (a fork and an import per worker) costs more than it saves
MIN_FILES_PER_WORKER = 64
PACK_MIN_FILES = 200


@dataclass(frozen=True, slots=True)
class Job:
    path: Path
    display: str
    relative: str
    module: str = ""
    package: str = ""


def display_path(path: Path, cwd: Path) -> str:
    """Relative to the working directory when under it, else absolute (DESIGN.md)."""
    return relative_to_root(path, cwd)


def make_jobs(files: Sequence[Path], root: Path, cwd: Path) -> list[Job]:
    roots = source_roots(root)
    return [Job(f, display_path(f, cwd), relative_to_root(f, root), *module_name(f, roots)) for f in files]


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@dataclass(frozen=True, slots=True)
class Indexing:
    """What a worker needs to index files: where the cache is and what its keys depend on."""

    cache_directory: Path | None
    fingerprint: str
    project_tops: frozenset[str] = frozenset()
    matcher: Matcher | None = None  # calls that cannot match are left out of summaries

    def key(self, digest: str, job: Job) -> str:
        return entry_key("summary", digest, job.module, job.package, self.fingerprint, *sorted(self.project_tops))


@dataclass(frozen=True, slots=True)
class Fresh:
    """A file indexed by a worker, with what the main process records in the cache manifest."""

    indexed: Indexed
    digest: str | None
    stat: os.stat_result | None


@contextmanager
def collector_paused() -> Iterator[None]:
    """Indexing allocates millions of small acyclic objects (trees, tuples, summaries); the cyclic
    garbage collector would rescan the growing heap again and again (a third of the time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _index_chunk(chunk: list[Job], indexing: Indexing) -> list[Fresh]:
    cache = Cache(indexing.cache_directory, use_pack=False) if indexing.cache_directory else None
    with collector_paused():
        return [index_job(job, indexing, cache) for job in chunk]


def index_job(job: Job, indexing: Indexing, cache: Cache | None) -> Fresh:
    try:
        stat = os.stat(job.path)
        data = job.path.read_bytes()
    except OSError as error:
        failed = file_error(job.display, f"cannot read file: {error.strerror or error}")
        return Fresh(Indexed(job.path, job.display, job.relative, None, failed), None, None)
    digest = content_hash(data)
    key = indexing.key(digest, job)
    if cache is not None:
        cached = cache.get(key)
        if cached is not None:
            return Fresh(from_cache(job, cached), digest, stat)
    indexed = index_data(data, job, indexing.project_tops, indexing.matcher)
    if cache is not None:
        cache.put(key, to_cache(indexed))
    return Fresh(indexed, digest, stat)


def index_data(data: bytes, job: Job, project_tops: frozenset[str], matcher: Matcher | None = None) -> Indexed:
    try:
        return index_source(
            data, job.path, job.display, job.relative, job.module, job.package, project_tops, matcher=matcher
        )
    except RecursionError:
        failed = file_error(job.display, "cannot analyse file: nested too deeply")
    except Exception as error:  # noqa: BLE001 - one file's bug must not stop the others
        failed = internal_error(job.display, error)
    return Indexed(job.path, job.display, job.relative, None, failed)


def to_cache(indexed: Indexed) -> tuple[object, ...]:
    """What is stored: nothing that depends on where the file is or how it is displayed."""
    error = indexed.error.findings[0] if indexed.error is not None else None
    summary = encode(indexed.summary) if indexed.summary is not None else None
    return (summary, None if error is None else (error.line, error.column, error.message))


def from_cache(job: Job, cached: tuple[object, ...]) -> Indexed:
    summary, error = cached
    failed = file_error(job.display, error[2], error[0], error[1]) if error else None  # type: ignore[index]
    decoded = decode(summary) if summary is not None else None  # type: ignore[arg-type]
    return Indexed(job.path, job.display, job.relative, decoded, failed)


def cached_jobs(
    jobs: list[Job], indexing: Indexing, cache: Cache
) -> tuple[list[Indexed], list[Job], list[str]]:
    """Split jobs into those whose summary the cache has (recognised by stat alone) and the rest;
    also the content hash of each hit."""
    hits: list[Indexed] = []
    misses: list[Job] = []
    digests: list[str] = []
    for job in jobs:
        try:
            digest = cache.known_hash(absolute(job.path), os.stat(job.path))
        except OSError:
            digest = None
        cached = cache.get(indexing.key(digest, job)) if digest else None
        if cached is None or digest is None:
            misses.append(job)
        else:
            hits.append(from_cache(job, cached))
            digests.append(digest)
    return hits, misses, digests


def run_key(indexing: Indexing, jobs: list[Job], digests: list[str], cwd: str) -> str:
    """What a whole run's result depends on, when every file it checks is unchanged."""
    files = "\n".join(f"{job.display}\0{job.relative}\0{digest}" for job, digest in zip(jobs, digests))
    return entry_key("run", indexing.fingerprint, cwd, *sorted(indexing.project_tops), files)


def previous_run(cache: Cache, indexing: Indexing, jobs: list[Job]) -> list[FileResult] | None:
    """The last run's result when no file it read has changed (judged by stat alone)."""
    digests = []
    for job in jobs:
        try:
            digest = cache.known_hash(absolute(job.path), os.stat(job.path))
        except OSError:
            return None
        if digest is None:
            return None
        digests.append(digest)
    previous = cache.get_alone(run_key(indexing, jobs, digests, os.getcwd()))
    if isinstance(previous, tuple) and unchanged_context(cache, previous[0]):
        return list(previous[1])
    return None


def unchanged_context(cache: Cache, context: list[tuple[str, str]]) -> bool:
    """Whether every module read for context last time is still the same file."""
    for path, digest in context:
        try:
            if cache.known_hash(path, os.stat(path)) != digest:
                return False
        except OSError:
            return False
    return True


def _confirm_chunk(chunk: list[Confirmation]) -> list[FileResult]:
    return [confirm_file(plan) for plan in chunk]


def chunked(items: Sequence[T], workers: int) -> list[list[T]]:
    # many small chunks balance the load between workers
    size = max(8, len(items) // (workers * 16))
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def build_project(indexed: Sequence[Indexed]) -> GlobalProject:
    modules: dict[str, ModuleIndex] = {}
    for item in indexed:
        if item.summary is not None:
            modules.setdefault(item.summary.module, item.summary.names)
    return GlobalProject(modules)


@dataclass(frozen=True, slots=True)
class StdinSource:
    """A buffer from standard input, reported as ``path`` (what editors send for unsaved files)."""

    data: bytes
    path: Path


def check_jobs(
    jobs: list[Job],
    settings: Settings,
    workers: int,
    stdin: StdinSource | None = None,
    root: Path | None = None,
    advance: Callable[[int], None] = lambda done: None,
    cache_directory: Path | None = None,
    walked: frozenset[str] = frozenset(),
) -> list[FileResult]:
    """Index every file, resolve across the project, then confirm the candidates with libcst."""
    with collector_paused():
        return run_checks(jobs, settings, workers, stdin, root, advance, cache_directory, walked)


def run_checks(
    jobs: list[Job],
    settings: Settings,
    workers: int,
    stdin: StdinSource | None,
    root: Path | None,
    advance: Callable[[int], None],
    cache_directory: Path | None,
    walked: frozenset[str],
) -> list[FileResult]:
    # a run over a few files (pre-commit, an editor) reads their entries one by one: loading the
    # whole project's pack would cost more than it saves
    use_pack = len(jobs) >= PACK_MIN_FILES
    cache = Cache(cache_directory, use_pack) if cache_directory is not None else None
    roots = import_roots([(job.path, job.module) for job in jobs] + ([(stdin.path, "__stdin__")] if stdin else []))
    indexing = Indexing(cache_directory, settings.config.fingerprint(), project_tops(roots), settings.matcher)
    if cache is not None and stdin is None:
        previous = previous_run(cache, indexing, jobs)
        if previous is not None:
            advance(len(jobs))
            return previous
    indexed, misses, _ = cached_jobs(jobs, indexing, cache) if cache is not None else ([], jobs, [])
    advance(len(indexed))
    workers = max(1, min(workers, len(misses) // MIN_FILES_PER_WORKER))
    with ExitStack() as stack:
        pool = stack.enter_context(ProcessPoolExecutor(max_workers=workers)) if workers > 1 else None

        def index_jobs(items: list[Job]) -> list[Indexed]:
            fresh: list[Fresh] = []
            if pool is None or len(items) < MIN_FILES_PER_WORKER:
                fresh = _index_chunk(items, indexing)
                advance(len(items))
            else:
                for part in pool.map(_index_chunk, chunked(items, workers), repeat(indexing)):
                    fresh += part
                    advance(len(part))
            if cache is not None:
                for item, job in zip(fresh, items):
                    if item.digest is not None and item.stat is not None:
                        cache.remember_hash(absolute(item.indexed.path), item.stat, item.digest)
                        cache.note(indexing.key(item.digest, job), to_cache(item.indexed))
            return [item.indexed for item in fresh]

        def index_context(items: list[Job]) -> list[Indexed]:
            found, todo, _ = cached_jobs(items, indexing, cache) if cache is not None else ([], items, [])
            return found + index_jobs(todo)

        indexed += index_jobs(misses)
        if stdin is not None:
            indexed.append(index_stdin(stdin, root or Path.cwd(), indexing.project_tops, settings.matcher))
        context = follow_imports(indexed, index_context, roots, indexing.project_tops, walked)
        project = build_project([*indexed, *context])
        graph = CallGraph(
            {i.summary.module: (i.display, i.summary) for i in [*context, *indexed] if i.summary is not None},
            project, settings.matcher, settings.config.max_depth,
        )
        graph.loop_functions = graph.find_loop_functions(
            (i.summary for i in [*context, *indexed] if i.summary is not None),
            frozenset(settings.config.loop_decorators),
        )
        planner = Planner(cache, project, graph, settings, module_digests(cache, [*indexed, *context]))
        plans: list[Confirmation] = []
        failed: dict[str, FileResult] = {}
        for item in indexed:
            try:
                plan = planner.plan(item)
            except RecursionError:
                failed[item.display] = file_error(item.display, "cannot analyse file: nested too deeply")
                continue
            except Exception as error:  # noqa: BLE001 - one file's bug must not stop the others
                failed[item.display] = internal_error(item.display, error)
                continue
            if plan is not None:
                plans.append(plan)
        confirmed = confirm_plans(plans, cache, lambda todo: run_chunks(pool, workers, _confirm_chunk, todo))
        confirmed.update(failed)
    results = []
    for item in indexed:
        if item.error is not None:
            results.append(item.error)
        else:
            results.append(confirmed.get(item.display, FileResult(item.display)))
    if cache is not None:
        if stdin is None:
            remember_run(cache, indexing, jobs, context, results)
        cache.save()
    return results


def remember_run(
    cache: Cache, indexing: Indexing, jobs: list[Job], context: list[Indexed], results: list[FileResult]
) -> None:
    """Store the whole result, for the next run that finds every file unchanged."""
    def digest(path: Path) -> str | None:
        recorded = cache.manifest.get(absolute(path))
        return recorded[2] if recorded else None

    digests = [digest(job.path) for job in jobs]
    context_files = [(absolute(item.path), digest(item.path)) for item in context]
    if all(digests) and all(d for _, d in context_files):
        key = run_key(indexing, jobs, digests, os.getcwd())  # type: ignore[arg-type]
        if cache.get_alone(key) is None:
            cache.put_alone(key, (context_files, tuple(results)))


def module_digests(cache: Cache | None, items: Sequence[Indexed]) -> dict[str, str]:
    """module -> content hash of its file (from the manifest), for the plan cache."""
    if cache is None:
        return {}
    digests: dict[str, str] = {}
    for item in items:
        if item.summary is not None and item.source is None:
            recorded = cache.manifest.get(absolute(item.path))
            if recorded is not None:
                digests.setdefault(item.summary.module, recorded[2])
    return digests


def run_chunks(
    pool: ProcessPoolExecutor | None, workers: int, function: Callable[[list[T]], list[R]], items: list[T]
) -> list[R]:
    if pool is None or len(items) < MIN_FILES_PER_WORKER:
        return function(items)
    return [result for part in pool.map(function, chunked(items, workers)) for result in part]


def confirm_plans(
    plans: list[Confirmation], cache: Cache | None, confirm: Callable[[list[Confirmation]], list[FileResult]]
) -> dict[str, FileResult]:
    """libcst results by display path; from the cache when the file and its candidates are unchanged."""
    results: dict[str, FileResult] = {}
    todo: list[tuple[Confirmation, str | None]] = []
    for plan in plans:
        key = confirmation_key(plan) if cache is not None else None
        cached = cache.get(key) if cache is not None and key is not None else None
        if cached is not None:
            results[plan.display] = FileResult(plan.display, tuple(replace(f, path=plan.display) for f in cached))
        else:
            todo.append((plan, key))
    for (plan, key), result in zip(todo, confirm([plan for plan, _ in todo])):
        results[plan.display] = result
        if cache is not None and key is not None and not result.error:
            cache.put(key, result.findings)
    return results


def confirmation_key(plan: Confirmation) -> str | None:
    try:
        data = plan.source if plan.source is not None else plan.path.read_bytes()
    except OSError:
        return None
    return entry_key("confirm", content_hash(data), repr(plan.candidates), plan.library)


def index_stdin(stdin: StdinSource, root: Path, tops: frozenset[str], matcher: Matcher | None = None) -> Indexed:
    display = display_path(stdin.path, Path.cwd().resolve()) if stdin.path.name != "-" else "-"
    module, package = module_name(stdin.path, source_roots(root)) if stdin.path.name != "-" else ("__stdin__", "")
    relative = relative_to_root(stdin.path, root)
    return index_source(
        stdin.data, stdin.path, display, relative, module, package, tops, keep_source=True, matcher=matcher
    )


def import_root(path: Path, module: str) -> str:
    """The directory a module's top-level package sits in (what would be on sys.path)."""
    depth = module.count(".") + (1 if path.stem == "__init__" else 0)
    directory = os.path.dirname(os.path.abspath(path))
    for _ in range(depth):
        directory = os.path.dirname(directory)
    return directory


def import_roots(modules: Sequence[tuple[Path, str]]) -> list[str]:
    return sorted({import_root(path, module) for path, module in modules if module})


def project_tops(roots: Sequence[str]) -> frozenset[str]:
    """The top-level names importable from the project's roots: references under them are the
    project's own, resolved across modules; anything else is a library."""
    tops = set()
    for root in roots:
        for entry in list_directory(Path(root)):
            name, _, suffix = entry.partition(".")
            if name.isidentifier() and suffix in ("", "py", "pyi"):
                tops.add(name)
    return frozenset(tops)


def module_file(name: str, roots: Sequence[str], walked: frozenset[str] = frozenset()) -> Path | None:
    """The file of module ``name`` under one of the roots. In a directory the discovery walked, every
    module (or package) there was found or excluded already, so the disk is not asked again."""
    parent, _, last = name.rpartition(".")
    for root in roots:
        container = os.path.join(root, *parent.split(".")) if parent else root
        if container in walked:
            continue
        base = os.path.join(container, last)
        for candidate in (base + ".py", os.path.join(base, "__init__.py")):
            if os.path.isfile(candidate):
                return Path(candidate)
    return None


def list_directory(directory: Path) -> list[str]:
    try:
        return os.listdir(directory)
    except OSError:
        return []


def follow_imports(
    indexed: Sequence[Indexed],
    index_jobs: Callable[[list[Job]], list[Indexed]],
    roots: Sequence[str],
    tops: frozenset[str],
    walked: frozenset[str] = frozenset(),
) -> list[Indexed]:
    """Index the project modules the checked files import but that were not given (pre-commit passes
    only the staged files; an editor only its buffer), so their names still resolve. Context modules
    are never reported on."""
    summaries = [item.summary for item in indexed if item.summary is not None]
    known = {summary.module for summary in summaries}
    # a name below a plain module (not a package) is an attribute, never a module file
    modules = {s.module for item, s in ((i, i.summary) for i in indexed) if s is not None and item.path.stem != "__init__"}
    context: list[Indexed] = []
    frontier = list(indexed)
    while frontier:
        wanted: dict[str, Path] = {}
        for item in frontier:
            if item.summary is None:
                continue
            for name in sorted(item.summary.imports, key=len):
                parent = name.rpartition(".")[0]
                if parent in modules:
                    modules.add(name)  # an attribute of a module: nothing below it is a module
                    continue
                if name in known or name.partition(".")[0] not in tops:
                    continue
                known.add(name)
                path = module_file(name, roots, walked)
                if path is not None:
                    wanted[name] = path
                    if path.stem != "__init__":
                        modules.add(name)
                else:
                    modules.add(name)  # not a module: nothing below it is one either
        cwd = Path.cwd()
        jobs = [Job(path, display_path(path, cwd), path.as_posix(), *module_name(path, tuple(roots))) for path in wanted.values()]
        frontier = [replace(item, context=True) for item in index_jobs(jobs)] if jobs else []
        context += frontier
    return context


def check_paths(
    paths: Sequence[Path],
    config: Config,
    cwd: Path | None = None,
    workers: int = 1,
    cache_directory: Path | None = None,
) -> list[FileResult]:
    """Check files and directories with ``config``: the library entry point the CLI and tests use."""
    cwd = (cwd or Path.cwd()).resolve()
    found = discover(tuple(str(p) for p in paths), config.root, config.exclude, False, config.respect_gitignore)
    jobs = make_jobs(found.files, config.root, cwd)
    return check_jobs(jobs, make_settings(config), workers, cache_directory=cache_directory, walked=found.walked)
