"""Files -> results, in a process pool when there is enough work to pay for one."""

from __future__ import annotations

import gc
import os
import pickle
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from loopguard.analysis.index import ModuleIndex
from loopguard.analysis.match import Matcher
from loopguard.analysis.project import GlobalProject
from loopguard.analysis.stages import (
    Confirmation,
    Indexed,
    Settings,
    file_error,
    has_internal_error,
    index_source,
    internal_error,
    make_settings,
)
from loopguard.analysis.summary import FileSummary
from loopguard.analysis.transitive import CallGraph
from loopguard.cache.lazy import LazySummary, ModuleNames
from loopguard.cache.plans import Planner
from loopguard.cache.schema import SUMMARY_ENTRY
from loopguard.cache.store import Cache, content_hash, stat_record
from loopguard.cache.summaries import (
    CachedSummary,
    Indexing,
    cached_confirmation,
    cached_jobs,
    from_cache,
    known_digests,
    module_digests,
    previous_run,
    remember_confirmation,
    remember_run,
    to_cache,
)
from loopguard.catalogue import ALL_RULES, MEMOISED, STRING_FORM
from loopguard.config import Config
from loopguard.context import follow_imports, import_roots, project_tops
from loopguard.discovery.files import Discovery, absolute, discover, relative_to_root
from loopguard.discovery.modules import source_roots
from loopguard.jobs import Fresh, Job, StdinSource, display_path, make_jobs
from loopguard.lifetime import keep_until_exit
from loopguard.models import FileResult, Finding, Fix
from loopguard.noqa import apply_noqa, noqa_context, source_reader
from loopguard.pool import (
    MIN_FILES_PER_WORKER,
    Claims,
    ForkedPart,
    Marshalled,
    WorkerPool,
    can_fork,
)
from loopguard.sourcetext import MAX_FILE_BYTES, SourceRefused, read_source, too_large
from loopguard.suppress import is_selected

__all__ = ["MIN_FILES_PER_WORKER", "check_jobs", "check_paths"]

PACK_MIN_FILES = 200
#: The fewest files indexed for the workers to import the confirm stage ahead (``run_checks``):
#: planning fewer takes less than the import (~0.3 s), which the end of the run would wait for
#: even when nothing is confirmed.
PREPARE_MIN_FILES = 1_000
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
            promote_survivors()
            gc.enable()


def promote_survivors() -> None:
    """Move everything the run allocated straight to the oldest generation. Re-enabled as it was,
    the collector would first scan every young object — over a million after a warm run on a big
    project, most of a second — while the oldest generation is collected only as it grows. Not
    done when the host program has frozen objects itself: ``unfreeze`` would thaw those too."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


#: What a worker sends back for a file: its cache entry (the summary as ``summary.encode`` gives
#: it, or the LG001); with a cache, the file's digest and manifest record (``store.stat_record``,
#: made where the file was hashed) and the entry's packed bytes for the next pack, as the worker
#: wrote or read them (the main process would pack the entry again); None without one.
Shipped = tuple[CachedSummary, "str | None", "bytes | None", "bytes | None"]


def _index_chunk(chunk: list[Job], indexing: Indexing) -> list[Shipped]:
    """Each file indexed, sent back encoded: plain tuples unmarshal at C speed, where a summary's
    scopes and classes are objects rebuilt one attribute at a time — the main process reads
    every summary of a cold run while the workers index, half as fast as it decodes these. Made
    of plain values only, the chunk crosses back as one ``marshal`` string (``pool.Marshalled``)."""
    cache = Cache(indexing.cache_directory, use_pack=False, warn=None) if indexing.cache_directory else None
    with collector_paused():
        return Marshalled(shipped(index_job(job, indexing, cache)) for job in chunk)


def _index_packed_chunk(chunk: list[Job], packed: bytes) -> list[Shipped]:
    """``_index_chunk`` with the ``Indexing`` as ``index_stage`` pickled it once: a chunk sent
    with the ``Indexing`` itself pickled the matcher again (~110 kB, ~2 ms) in this process and
    unpickled it in the worker, for each of a cold run's ~60 chunks."""
    return _index_chunk(chunk, unpacked_indexing(packed))


#: The ``Indexing`` this process last unpickled, by its pickle (``unpacked_indexing``)
_UNPACKED: dict[bytes, Indexing] = {}


def unpacked_indexing(packed: bytes) -> Indexing:
    """The ``Indexing`` pickled as ``packed``, unpickled once per process (per run: the bytes
    of another run's settings unpickle afresh)."""
    found = _UNPACKED.get(packed)
    if found is None:
        _UNPACKED.clear()
        found = _UNPACKED[packed] = pickle.loads(packed)  # the main process pickled it
    return found


def shipped(fresh: Fresh) -> Shipped:
    digest, stat = fresh.digest, fresh.stat
    record = stat_record(stat, digest, time.time_ns()) if digest is not None and stat is not None else None
    return to_cache(fresh.indexed), digest, record, fresh.payload


def unreadable(job: Job, message: str, line: int = 1, column: int = 1) -> Fresh:
    failed = file_error(job.display, message, line, column)
    return Fresh(Indexed(job.path, job.display, job.relative, None, failed), None, None)


def index_job(job: Job, indexing: Indexing, cache: Cache | None) -> Fresh:
    try:
        stat = os.stat(job.path) if cache is not None else None
        data = read_source(job.path)
    except SourceRefused as refused:
        return unreadable(job, refused.message, refused.line, refused.column)
    except OSError as error:
        return unreadable(job, f"cannot read file: {error.strerror or error}")
    if cache is None:  # the digest and the stat are only for the cache
        return Fresh(index_data(data, job, indexing.project_tops, indexing.matcher), None, None)
    digest = content_hash(data)
    key = indexing.key(digest, job)
    cached = cache.get(key, SUMMARY_ENTRY)
    if cached is not None:
        return Fresh(from_cache(job, cached), digest, stat, cache.used.get(key))
    indexed = index_data(data, job, indexing.project_tops, indexing.matcher)
    cache.put(key, to_cache(indexed))
    return Fresh(indexed, digest, stat, cache.used.get(key))


def index_data(data: bytes, job: Job, project_tops: frozenset[str], matcher: Matcher | None = None) -> Indexed:
    try:
        return index_source(
            data, job.path, job.display, job.relative, job.module, job.package, project_tops, matcher=matcher,
            aliases=job.aliases,
        )
    except RecursionError:  # a walk the bounds did not foresee: still one file
        failed = file_error(job.display, "cannot analyse file: nested too deeply (recursion limit)")
    except Exception as error:  # noqa: BLE001 - one file's bug must not stop the others
        failed = internal_error(job.display, error)
    return Indexed(job.path, job.display, job.relative, None, failed)


#: A confirmed file, and the fix of each of its findings when they were planned with it.
Confirmed = tuple[FileResult, "tuple[Fix | None, ...] | None"]
#: Per reported file, each finding the confirm stage planned fixes for -> its fix (None: none).
FixPlans = dict[str, dict[Finding, "Fix | None"]]


def _confirm_chunk(chunk: list[Confirmation], plan_fixes: bool = False) -> list[Confirmed]:
    # libcst takes ~0.4 s to import: a run with nothing to confirm (an edit that added no call on
    # the loop, a pre-commit run served from the cache) never pays it
    from loopguard.analysis.confirm import confirm_file_then

    with collector_paused():
        return [confirm_file_then(plan, _planned_fixes if plan_fixes else _no_fixes) for plan in chunk]


def _import_confirm_stage() -> None:
    """Import what confirming needs (libcst: ~0.3 s of CPU) ahead of the first file to confirm."""
    import loopguard.analysis.confirm
    import loopguard.fixes  # noqa: F401 - imported for the fixes planned with the findings


def _planned_fixes(text: str, findings: tuple[Finding, ...]) -> tuple[Fix | None, ...] | None:
    from loopguard.fixes import planned_fixes

    return planned_fixes(text, findings, ALL_RULES)


def _no_fixes(text: str, findings: tuple[Finding, ...]) -> None:
    return None


def build_project(indexed: Sequence[Indexed], track_reads: bool = True) -> GlobalProject:
    return GlobalProject(project_modules(indexed), track_reads)


def project_modules(indexed: Sequence[Indexed]) -> Mapping[str, ModuleIndex]:
    """module -> its names, the first summary of each module winning."""
    summaries: dict[str, FileSummary] = {}
    for item in indexed:
        if item.summary is not None:
            summaries.setdefault(item.summary.module, item.summary)
    if any(isinstance(summary, LazySummary) for summary in summaries.values()):
        return ModuleNames(summaries)  # a module's names unpacked when first read
    return {module: summary.names for module, summary in summaries.items()}


def check_jobs(
    jobs: list[Job],
    settings: Settings,
    workers: int,
    stdin: StdinSource | None = None,
    root: Path | None = None,
    advance: Callable[[int], None] = lambda done: None,
    cache_directory: Path | None = None,
    walked: frozenset[str] = frozenset(),
    fix_plans: FixPlans | None = None,
) -> list[FileResult]:
    """Index every file, resolve across the project, then confirm the candidates with libcst.

    Cache entries are checked for their shape, not for being what loopguard wrote (the cache sits
    in the analysed repository): if a run that used the cache fails anywhere, or reports an internal
    error, it is run again without the cache, whose answer is the one that counts. ``# noqa``
    comments are applied last (noqa.py), to the cached or fresh results alike. With ``fix_plans``,
    the fix of each finding the confirm stage confirms is planned with it and kept there."""
    with collector_paused():
        results: list[FileResult] | None = None
        if cache_directory is not None:
            try:
                results = run_checks(
                    jobs, settings, workers, stdin, root, advance, cache_directory, walked, fix_plans
                )
            except Exception:  # noqa: BLE001 - retried below without the cache; a real bug raises again
                results = None
            if results is not None and any(map(has_internal_error, results)):
                results = None
        if results is None:
            results = run_checks(jobs, settings, workers, stdin, root, lambda done: None, None, walked, fix_plans)
    return with_noqa_applied(results, jobs, stdin, root, settings)


def with_noqa_applied(
    results: list[FileResult], jobs: list[Job], stdin: StdinSource | None, root: Path | None, settings: Settings
) -> list[FileResult]:
    """The results once ``# noqa`` comments have been read (from the buffer for standard input)."""
    paths = {job.display: job.path for job in jobs}
    relative = {job.display: job.relative for job in jobs}
    buffers = {}
    if stdin is not None:
        shown = stdin_display(stdin)
        buffers[shown] = stdin.data
        relative[shown] = relative_to_root(stdin.path, root or Path.cwd())
    read_text = source_reader(paths, buffers)
    return apply_noqa(results, read_text, lambda shown: relative.get(shown, shown), noqa_context(settings.config))


@dataclass
class Run:
    """One run's shared state: the files asked for, the settings, the cache and its keys."""

    jobs: list[Job]
    settings: Settings
    cache: Cache | None
    indexing: Indexing
    roots: list[str]
    advance: Callable[[int], None]
    digests: list[str | None]  # of each job's file, from the cache's stat records (None: unknown)
    #: where the fixes planned with the confirmed findings go; None: none are planned
    fix_plans: FixPlans | None = None
    #: where the modules the files import but that do not exist would be (``context.absent_paths``)
    absent: list[str] = field(default_factory=list)


def open_run(
    jobs: list[Job], settings: Settings, stdin: StdinSource | None, cache_directory: Path | None,
    advance: Callable[[int], None],
) -> Run:
    # a run over a few files (pre-commit, an editor) reads their entries one by one: loading the
    # whole project's pack would cost more than it saves
    cache = Cache(cache_directory, len(jobs) >= PACK_MIN_FILES) if cache_directory is not None else None
    named = [(job.path, job.module) for job in jobs] + ([(stdin.path, stdin.module)] if stdin else [])
    # the project's source roots too: a module checked alone still finds its helpers in another root
    roots = sorted({*import_roots(named), *source_roots(settings.config.root, settings.config.src)})
    indexing = Indexing(cache_directory, settings.config.fingerprint(), project_tops(roots), settings.matcher)
    digests: list[str | None] = known_digests(cache, jobs) if cache is not None else [None] * len(jobs)
    return Run(jobs, settings, cache, indexing, roots, advance, digests)


def run_checks(
    jobs: list[Job],
    settings: Settings,
    workers: int,
    stdin: StdinSource | None,
    root: Path | None,
    advance: Callable[[int], None],
    cache_directory: Path | None,
    walked: frozenset[str],
    fix_plans: FixPlans | None = None,
) -> list[FileResult]:
    """The pipeline after discovery: index and summarise, project, confirm (docs/analysis.md)."""
    run = open_run(jobs, settings, stdin, cache_directory, advance)
    run.fix_plans = fix_plans
    previous = previous_results(run) if stdin is None else None
    if previous is not None:
        return previous
    indexed, misses = cached_summaries(run)
    workers = max(1, min(workers, len(misses) // MIN_FILES_PER_WORKER))
    with WorkerPool(workers) as pool:
        indexed += index_stage(run, pool, misses)
        if len(misses) >= PREPARE_MIN_FILES and any(i.summary is not None and i.summary.calls for i in indexed):
            # the workers import the confirm stage while this process links the project and
            # builds the call graph alone; then they confirm as soon as the first plans come
            pool.prepare(_import_confirm_stage)
        if stdin is not None:
            indexed.append(index_stdin(stdin, root or Path.cwd(), run.indexing.project_tops, settings.matcher))
        context = context_stage(run, pool, indexed, walked)
        confirmed = confirm_while_planning(run, pool, indexed, context)
    results = [confirmed.get(i.display, FileResult(i.display)) if i.error is None else i.error for i in indexed]
    keep_until_exit(indexed, context)  # every summary: not freed one by one when the process ends next
    if run.cache is not None:
        if stdin is None:
            remember_run(run.cache, run.indexing, jobs, context, results, run.absent)
        run.cache.save()
    return results


def previous_results(run: Run) -> list[FileResult] | None:
    """The last run's results when it checked the same files, unchanged, with the same settings."""
    if run.cache is None:
        return None
    previous = previous_run(run.cache, run.indexing, run.jobs, run.digests)
    if previous is not None:
        run.advance(len(run.jobs))
    return previous


def cached_summaries(run: Run) -> tuple[list[Indexed], list[Job]]:
    """The files whose summaries the cache holds, and the jobs left to index."""
    if run.cache is None:
        return [], run.jobs
    indexed, misses = cached_jobs(run.jobs, run.indexing, run.cache, run.digests)
    run.advance(len(indexed))
    return indexed, misses


def index_stage(run: Run, pool: WorkerPool, jobs: list[Job]) -> list[Indexed]:
    """Index and summarise: each file parsed and summarised in a worker, the summary cached."""
    index_chunk: Callable[[list[Job]], list[Shipped]] = partial(_index_chunk, indexing=run.indexing)
    if pool.workers > 1 and len(jobs) >= MIN_FILES_PER_WORKER:  # chunks go to the workers: pickled once
        index_chunk = partial(_index_packed_chunk, packed=pickle.dumps(run.indexing, pickle.HIGHEST_PROTOCOL))
    indexed: list[Indexed] = []

    def take(chunk: list[Job], found: list[Shipped]) -> None:
        if run.cache is not None:
            for (_entry, digest, record, payload), job in zip(found, chunk):
                if digest is not None:
                    run.cache.remember_record(absolute(job.path), record)
                if digest is not None and payload is not None:
                    run.cache.note(run.indexing.key(digest, job), payload)
        # back into what indexing the file gives, as from the cache
        indexed.extend(from_cache(job, entry) for (entry, _digest, _record, _payload), job in zip(found, chunk))
        run.advance(len(found))

    pool.map_each(index_chunk, jobs, lambda job, reason: shipped(unreadable(job, reason)), take)
    return indexed


def context_stage(run: Run, pool: WorkerPool, indexed: list[Indexed], walked: frozenset[str]) -> list[Indexed]:
    """The project modules the checked files import but that were not given, summarised too."""

    def index_context(items: list[Job]) -> list[Indexed]:
        found, todo = cached_jobs(items, run.indexing, run.cache) if run.cache is not None else ([], items)
        return found + index_stage(run, pool, todo)

    # where absent modules would be matters only to the whole-run cache record
    absent = run.absent if run.cache is not None else None
    return follow_imports(indexed, index_context, run.roots, run.indexing.project_tops, walked, absent)


def project_stage(
    run: Run, indexed: list[Indexed], context: list[Indexed], project: GlobalProject | None = None
) -> tuple[list[Confirmation], dict[str, FileResult]]:
    """Link every summary into the project and the call graph; plan what to confirm in each file.
    ``project``: these summaries' project when the caller keeps one (the language server)."""
    plans: list[Confirmation] = []
    failed = plan_files(run, indexed, context, plans.append, project)
    return plans, failed


def plan_files(
    run: Run, indexed: list[Indexed], context: list[Indexed], accept: Callable[[Confirmation], None],
    project: GlobalProject | None = None, processes: int = 1,
) -> dict[str, FileResult]:
    """``project_stage``, each plan handed to ``accept`` as soon as it is made; the files that
    failed, by display path. With ``processes`` > 1 and enough to plan, the files are planned in
    that many processes, this one and children forked once the project is linked: each starts
    with a share of them (``shares_to_plan``) and then helps with the others' (``pool.Claims``)."""
    settings = run.settings
    # what each plan read is kept only with the plans, in the cache
    project = project or build_project([*indexed, *context], track_reads=run.cache is not None)
    summaries = [i for i in [*context, *indexed] if i.summary is not None]
    graph = CallGraph(
        {i.summary.module: (i.display, i.summary) for i in summaries if i.summary is not None},
        project, settings.matcher, settings.config.max_depth,
        report_memoised=is_selected(MEMOISED, settings.config.select, settings.config.ignore),
        offload_decorators=frozenset(settings.config.offload_decorators),
        report_string_forms=is_selected(STRING_FORM, settings.config.select, settings.config.ignore),
    )
    graph.loop_functions = graph.find_loop_functions(
        (i.summary for i in summaries if i.summary is not None), frozenset(settings.config.loop_decorators)
    )
    planner = Planner(run.cache, project, graph, settings, module_digests(run.cache, [*indexed, *context]))
    keep_until_exit(project, graph, planner)  # the linked project and its memos, as the summaries
    failed: dict[str, FileResult] = {}

    def take(item: Indexed, outcome: Planned | None) -> None:
        if isinstance(outcome, FileResult):
            failed[item.display] = outcome
        elif outcome is not None:
            accept(outcome)

    shares = shares_to_plan(indexed, processes)
    claims = shared_claims(shares) if len(shares) > 1 else None
    if claims is None:
        for item in indexed:
            take(item, planned(planner, item))
        return failed
    project.before_sharing()  # worked out here once, the children inherit it
    forked = [fork_planning(planner, indexed, claims, share, run.cache) for share in range(1, len(shares))]
    for index in claims.taking(0):
        take(indexed[index], planned(planner, indexed[index]))
        claims.mark(index)
        for part in forked:
            for done, outcome in part.ready():
                take(indexed[done], outcome)
    for part in forked:
        found, used = part.finish()
        for done, outcome in found:
            take(indexed[done], outcome)
        if run.cache is not None and isinstance(used, dict):
            for key, value in used.items():
                run.cache.note(key, value)
    for index in claims.undone():  # a child died: this process plans what it left
        take(indexed[index], planned(planner, indexed[index]))
    return failed


#: A file's plan, or the LG001 that stands for its results when planning it failed.
Planned = Confirmation | FileResult
#: The fewest calls on the loop (over all files) for planning to be shared with forked children:
#: homeassistant's ~27,000 take ~2.2 s to plan, a fork and the pages it copies ~0.1 s.
SHARED_PLANNING_MIN_CALLS = 5_000


def planned(planner: Planner, item: Indexed) -> Planned | None:
    try:
        return planner.plan(item)
    except RecursionError:  # a walk the bounds did not foresee: still one file
        return file_error(item.display, "cannot analyse file: nested too deeply (recursion limit)")
    except Exception as error:  # noqa: BLE001 - one file's bug must not stop the others
        return internal_error(item.display, error)


def shares_to_plan(indexed: list[Indexed], processes: int) -> list[list[Indexed]]:
    """The files in ``processes`` consecutive shares of about as many calls on the loop each (what
    planning a file costs grows with them); one share when there is too little to plan for a fork
    to pay, or no fork. Consecutive files share packages, and so the helpers their plans follow:
    homeassistant planned in two halves costs 1.04 + 1.17 s where the whole took 2.20 s."""
    if processes < 2:
        return [indexed]
    weights = [1 + (len(item.summary.calls) if item.summary is not None else 0) for item in indexed]
    total = sum(weights)
    if total < SHARED_PLANNING_MIN_CALLS or not can_fork():
        return [indexed]
    shares: list[list[Indexed]] = [[] for _ in range(processes)]
    reached = 0
    for item, weight in zip(indexed, weights):  # each in the share where its middle falls
        shares[min(processes - 1, (2 * reached + weight) * processes // (2 * total))].append(item)
        reached += weight
    return shares


def shared_claims(shares: list[list[Indexed]]) -> Claims | None:
    """The claims of the processes on ``shares`` (consecutive: their indexes are ``indexed``'s);
    None where the memory or the lock they share cannot be made (a system without POSIX
    semaphores, such as a sandbox without ``/dev/shm``): the files are then planned here alone."""
    try:
        return Claims([len(share) for share in shares])
    except (OSError, ImportError):  # multiprocessing's SemLock raises either
        return None


def fork_planning(
    planner: Planner, indexed: list[Indexed], claims: Claims, share: int, cache: Cache | None
) -> ForkedPart[Indexed, Planned]:
    """The files a forked child claims (``share`` first) planned there. It sends back, with its
    plans, the cache entries it read or wrote (the next pack holds them): its record starts empty."""
    if cache is None:
        return ForkedPart(partial(planned, planner), indexed, claims=claims, share=share)
    return ForkedPart(
        partial(planned, planner), indexed, starting=cache.take_used, ending=cache.take_used, claims=claims,
        share=share,
    )


def with_fix_plans(run: Run, confirmed: list[Confirmed]) -> list[FileResult]:
    """The results; the fixes planned with them kept in ``run.fix_plans``, for the report."""
    if run.fix_plans is not None:
        for result, fixes in confirmed:
            if fixes is not None:
                run.fix_plans[result.path] = dict(zip(result.findings, fixes))
    return [result for result, _ in confirmed]


def confirm_while_planning(
    run: Run, pool: WorkerPool, indexed: list[Indexed], context: list[Indexed]
) -> dict[str, FileResult]:
    """The project and confirm stages together: each plan goes to the workers as soon as it is
    made, so they confirm with libcst while the files left are planned — in as many processes as
    there are workers, this one and children forked from it (``plan_files``): homeassistant's
    planning takes ~2.2 s of CPU, confirming its 69 files with candidates ~0.45 s. A plan whose
    file and candidates the cache has confirmed before is answered from the cache, and each new
    result is kept there."""
    stream = pool.stream(partial(_confirm_chunk, plan_fixes=run.fix_plans is not None), confirm_crashed)
    results: dict[str, FileResult] = {}
    streamed: list[tuple[str, str | None]] = []  # display, cache key of each plan sent to confirm

    def accept(plan: Confirmation) -> None:
        cached, key = cached_confirmation(plan, run.cache)
        if cached is not None:
            results[plan.display] = cached
        else:
            streamed.append((plan.display, key))
            stream.add(plan)

    failed = plan_files(run, indexed, context, accept, processes=pool.workers)
    for (display, key), result in zip(streamed, with_fix_plans(run, stream.results())):
        results[display] = result
        remember_confirmation(run.cache, key, result)
    return results | failed


def confirm_crashed(plan: Confirmation, reason: str) -> Confirmed:
    return file_error(plan.display, reason), None


def stdin_display(stdin: StdinSource) -> str:
    """How the buffer is reported: as its ``--stdin-filename``, or ``-``."""
    return display_path(stdin.path, Path.cwd().resolve()) if stdin.path.name != "-" else "-"


def index_stdin(stdin: StdinSource, root: Path, tops: frozenset[str], matcher: Matcher | None = None) -> Indexed:
    display = stdin_display(stdin)
    module, package = stdin.module, stdin.package
    relative = relative_to_root(stdin.path, root)
    if len(stdin.data) > MAX_FILE_BYTES:
        failed = file_error(display, too_large(len(stdin.data), MAX_FILE_BYTES))
        return Indexed(stdin.path, display, relative, None, failed)
    return index_source(
        stdin.data, stdin.path, display, relative, module, package, tops, keep_source=True, matcher=matcher,
        aliases=stdin.aliases,
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
