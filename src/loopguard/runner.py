"""Files -> results, in a process pool when there is enough work to pay for one."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from loopguard.cache import Cache, content_hash
from loopguard.cacheformat import SUMMARY_ENTRY
from loopguard.catalogue import MEMOISED
from loopguard.config import Config
from loopguard.confirm import confirm_file
from loopguard.discover import Discovery, absolute, discover, relative_to_root
from loopguard.engine import (
    Confirmation,
    Indexed,
    Settings,
    file_error,
    has_internal_error,
    index_source,
    internal_error,
    make_settings,
)
from loopguard.imports import follow_imports, import_roots, project_tops
from loopguard.index import ModuleIndex
from loopguard.jobs import Fresh, Indexing, Job, StdinSource, display_path, make_jobs
from loopguard.match import Matcher
from loopguard.models import FileResult
from loopguard.modules import source_roots
from loopguard.plans import Planner
from loopguard.pool import MIN_FILES_PER_WORKER, WorkerPool
from loopguard.runcache import (
    cached_jobs,
    confirm_plans,
    from_cache,
    known_digests,
    module_digests,
    previous_run,
    remember_run,
    to_cache,
)
from loopguard.sourcetext import MAX_FILE_BYTES, SourceRefused, read_source, too_large
from loopguard.suppress import is_selected
from loopguard.transitive import CallGraph
from loopguard.world import GlobalProject

__all__ = ["MIN_FILES_PER_WORKER", "check_jobs", "check_paths"]

PACK_MIN_FILES = 200
#: Room for the recursive walks, each bounded by design: the index walk (``index.MAX_DEPTH`` levels,
#: ~3 frames each), the resolver (``resolve.MAX_CHAIN`` bindings of ``expressions.MAX_EXPR_DEPTH``
#: levels) and the libcst visitor (trees ``sourcetext.libcst_refusal`` let through). The limit is
#: not what stops deep input: those bounds are, and they stay well below it.
RECURSION_LIMIT = 20_000


@contextmanager
def collector_paused() -> Iterator[None]:
    """Indexing allocates millions of small acyclic objects (trees, tuples, summaries); the cyclic
    garbage collector would rescan the growing heap again and again (a third of the time).

    The walks are recursive and bounded (see ``RECURSION_LIMIT``); generated code nests deeply (a
    40 kB expression in sympy nests past Python's default limit of 1,000 frames), so the limit is
    raised for the run to what those bounds need."""
    was_enabled = gc.isenabled()
    limit = sys.getrecursionlimit()
    gc.disable()
    sys.setrecursionlimit(max(limit, RECURSION_LIMIT))
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)
        if was_enabled:
            gc.enable()


def _index_chunk(chunk: list[Job], indexing: Indexing) -> list[Fresh]:
    cache = Cache(indexing.cache_directory, use_pack=False, warn=None) if indexing.cache_directory else None
    with collector_paused():
        return [index_job(job, indexing, cache) for job in chunk]


def unreadable(job: Job, message: str, line: int = 1, column: int = 1) -> Fresh:
    failed = file_error(job.display, message, line, column)
    return Fresh(Indexed(job.path, job.display, job.relative, None, failed), None, None)


def index_job(job: Job, indexing: Indexing, cache: Cache | None) -> Fresh:
    try:
        stat = os.stat(job.path)
        data = read_source(job.path)
    except SourceRefused as refused:
        return unreadable(job, refused.message, refused.line, refused.column)
    except OSError as error:
        return unreadable(job, f"cannot read file: {error.strerror or error}")
    digest = content_hash(data)
    key = indexing.key(digest, job)
    if cache is not None:
        cached = cache.get(key, SUMMARY_ENTRY)
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
    except RecursionError:  # a walk the bounds did not foresee: still one file
        failed = file_error(job.display, "cannot analyse file: nested too deeply (recursion limit)")
    except Exception as error:  # noqa: BLE001 - one file's bug must not stop the others
        failed = internal_error(job.display, error)
    return Indexed(job.path, job.display, job.relative, None, failed)


def _confirm_chunk(chunk: list[Confirmation]) -> list[FileResult]:
    with collector_paused():
        return [confirm_file(plan) for plan in chunk]


def build_project(indexed: Sequence[Indexed]) -> GlobalProject:
    modules: dict[str, ModuleIndex] = {}
    for item in indexed:
        if item.summary is not None:
            modules.setdefault(item.summary.module, item.summary.names)
    return GlobalProject(modules)


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
    """Index every file, resolve across the project, then confirm the candidates with libcst.

    Cache entries are checked for their shape, not for being what loopguard wrote (the cache sits
    in the analysed repository): if a run that used the cache fails anywhere, or reports an internal
    error, it is run again without the cache, whose answer is the one that counts."""
    with collector_paused():
        if cache_directory is not None:
            try:
                results = run_checks(jobs, settings, workers, stdin, root, advance, cache_directory, walked)
            except Exception:  # noqa: BLE001 - retried below without the cache; a real bug raises again
                results = None
            if results is not None and not any(map(has_internal_error, results)):
                return results
        return run_checks(jobs, settings, workers, stdin, root, lambda done: None, None, walked)


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
    named = [(job.path, job.module) for job in jobs] + ([(stdin.path, stdin.module)] if stdin else [])
    # the project's source roots too: a module checked alone still finds its helpers in another root
    roots = sorted({*import_roots(named), *source_roots(settings.config.root, settings.config.src)})
    indexing = Indexing(cache_directory, settings.config.fingerprint(), project_tops(roots), settings.matcher)
    indexed: list[Indexed] = []
    misses = jobs
    if cache is not None:
        digests = known_digests(cache, jobs)
        previous = previous_run(cache, indexing, jobs, digests) if stdin is None else None
        if previous is not None:
            advance(len(jobs))
            return previous
        indexed, misses = cached_jobs(jobs, indexing, cache, digests)
    advance(len(indexed))
    workers = max(1, min(workers, len(misses) // MIN_FILES_PER_WORKER))
    with WorkerPool(workers) as pool:

        def index_jobs(items: list[Job]) -> list[Indexed]:
            index_chunk = partial(_index_chunk, indexing=indexing)
            fresh = pool.map(index_chunk, items, lambda job, reason: unreadable(job, reason), advance)
            if cache is not None:
                for item, job in zip(fresh, items):
                    if item.digest is not None and item.stat is not None:
                        cache.remember_hash(absolute(item.indexed.path), item.stat, item.digest)
                        cache.note(indexing.key(item.digest, job), to_cache(item.indexed))
            return [item.indexed for item in fresh]

        def index_context(items: list[Job]) -> list[Indexed]:
            found, todo = cached_jobs(items, indexing, cache) if cache is not None else ([], items)
            return found + index_jobs(todo)

        indexed += index_jobs(misses)
        if stdin is not None:
            indexed.append(index_stdin(stdin, root or Path.cwd(), indexing.project_tops, settings.matcher))
        context = follow_imports(indexed, index_context, roots, indexing.project_tops, walked)
        project = build_project([*indexed, *context])
        graph = make_graph([*context, *indexed], project, settings)
        planner = Planner(cache, project, graph, settings, module_digests(cache, [*indexed, *context]))
        plans, failed = plan_files(planner, indexed)
        confirmed = confirm_plans(
            plans, cache, lambda todo: pool.map(_confirm_chunk, todo, lambda plan, why: file_error(plan.display, why))
        )
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


def make_graph(items: Sequence[Indexed], project: GlobalProject, settings: Settings) -> CallGraph:
    """The call graph of every module read (checked and context), with its loop functions."""
    graph = CallGraph(
        {i.summary.module: (i.display, i.summary) for i in items if i.summary is not None},
        project, settings.matcher, settings.config.max_depth,
        report_memoised=is_selected(MEMOISED, settings.config.select, settings.config.ignore),
        offload_decorators=frozenset(settings.config.offload_decorators),
    )
    graph.loop_functions = graph.find_loop_functions(
        (i.summary for i in items if i.summary is not None), frozenset(settings.config.loop_decorators)
    )
    return graph


def plan_files(planner: Planner, indexed: Sequence[Indexed]) -> tuple[list[Confirmation], dict[str, FileResult]]:
    """Phase two of each checked file: its plan, or the LG001 result when planning it failed."""
    plans: list[Confirmation] = []
    failed: dict[str, FileResult] = {}
    for item in indexed:
        try:
            plan = planner.plan(item)
        except RecursionError:  # a walk the bounds did not foresee: still one file
            failed[item.display] = file_error(item.display, "cannot analyse file: nested too deeply (recursion limit)")
            continue
        except Exception as error:  # noqa: BLE001 - one file's bug must not stop the others
            failed[item.display] = internal_error(item.display, error)
            continue
        if plan is not None:
            plans.append(plan)
    return plans, failed


def index_stdin(stdin: StdinSource, root: Path, tops: frozenset[str], matcher: Matcher | None = None) -> Indexed:
    display = display_path(stdin.path, Path.cwd().resolve()) if stdin.path.name != "-" else "-"
    module, package = stdin.module, stdin.package
    relative = relative_to_root(stdin.path, root)
    if len(stdin.data) > MAX_FILE_BYTES:
        failed = file_error(display, too_large(len(stdin.data), MAX_FILE_BYTES))
        return Indexed(stdin.path, display, relative, None, failed)
    return index_source(
        stdin.data, stdin.path, display, relative, module, package, tops, keep_source=True, matcher=matcher
    )


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
    jobs = make_jobs(found.files, config.root, cwd, source_roots(config.root, config.src))
    results = check_jobs(jobs, make_settings(config), workers, cache_directory=cache_directory, walked=found.walked)
    return problem_results(found, cwd) + results


def problem_results(found: Discovery, cwd: Path) -> list[FileResult]:
    """A path discovery could not check (a FIFO, an unreadable directory) as an LG001 result."""
    return [file_error(display_path(problem.path, cwd), problem.reason) for problem in found.problems]
