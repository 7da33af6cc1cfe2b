"""What a run keeps in the cache besides per-file summaries: the manifest's view of the jobs, the
libcst results of each file, and the whole result of a run whose every file is unchanged."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from loopguard.analysis.match import Matcher
from loopguard.analysis.stages import Confirmation, Indexed, file_error
from loopguard.analysis.summary import EncodedSummary, decode, encode
from loopguard.cache.lazy import lazy_summary
from loopguard.cache.schema import (
    FINDINGS,
    RUN_ENTRY,
    SUMMARY_ENTRY,
    decode_finding,
    decode_result,
    encode_finding,
    encode_result,
)
from loopguard.cache.store import Cache, content_hash, entry_key
from loopguard.discovery.files import absolute
from loopguard.jobs import Job
from loopguard.models import FileResult


@dataclass(frozen=True)  # not slotted: it crosses processes, and slotted dataclasses pickle slowly
class Indexing:
    """What a worker needs to index files: where the cache is and what its keys depend on."""

    cache_directory: Path | None
    fingerprint: str
    project_tops: frozenset[str] = frozenset()
    matcher: Matcher | None = None  # calls that cannot match are left out of summaries

    def key(self, digest: str, job: Job) -> str:
        tops = sorted(self.project_tops)
        return entry_key("summary", digest, job.module, job.package, self.fingerprint, *tops, *alias_parts(job))


def alias_parts(job: Job) -> list[str]:
    """A job's import aliases in its keys (``app=services.api.app``: no top-level name has an
    ``=``); none for most jobs, whose keys stay as they were."""
    return [f"{name}={module}" for name, module in job.aliases]



#: A file's entry: its summary, or the LG001 that stopped it (line, column, message).
CachedSummary = tuple[EncodedSummary | None, tuple[int, int, str] | None]


def to_cache(indexed: Indexed) -> CachedSummary:
    """What is stored: nothing that depends on where the file is or how it is displayed."""
    error = indexed.error.findings[0] if indexed.error is not None else None
    summary = encode(indexed.summary) if indexed.summary is not None else None
    return (summary, None if error is None else (error.line, error.column, error.message))


def from_cache(job: Job, cached: CachedSummary) -> Indexed:
    """An entry that passed ``SUMMARY_ENTRY`` back into what indexing the file gives."""
    summary, error = cached
    failed = None
    if error is not None:
        line, column, message = error
        failed = file_error(job.display, message, line, column)
    decoded = decode(summary) if summary is not None else None
    return Indexed(job.path, job.display, job.relative, decoded, failed)


def known_digests(cache: Cache, jobs: list[Job]) -> list[str | None]:
    """The content hash of each job's file as the manifest knows it (None: changed or new)."""
    digests: list[str | None] = []
    for job in jobs:
        try:
            digests.append(cache.known_hash(absolute(job.path), os.stat(job.path)))
        except OSError:
            digests.append(None)
    return digests


def cached_jobs(
    jobs: list[Job], indexing: Indexing, cache: Cache, digests: list[str | None] | None = None
) -> tuple[list[Indexed], list[Job]]:
    """Split jobs into those whose summary the cache has (recognised by stat alone) and the rest."""
    hits: list[Indexed] = []
    misses: list[Job] = []
    for job, digest in zip(jobs, digests if digests is not None else known_digests(cache, jobs)):
        found = cached_summary(cache, indexing.key(digest, job), job) if digest else None
        if found is None:
            misses.append(job)
        else:
            hits.append(found)
    return hits, misses


def cached_summary(cache: Cache, key: str, job: Job) -> Indexed | None:
    """A file's cached summary (or LG001): read lazily when its entry is signed and in a file of
    its own (``cache.lazy``), else checked whole."""
    summary = cache.get_signed(key, lazy_summary)
    if summary is not None:
        return Indexed(job.path, job.display, job.relative, summary, None)
    cached = cache.get(key, SUMMARY_ENTRY)
    return from_cache(job, cached) if cached is not None else None


def run_key(indexing: Indexing, jobs: list[Job], digests: list[str], cwd: str) -> str:
    """What a whole run's result depends on, when every file it checks is unchanged."""
    files = "\n".join(
        "\0".join((job.display, job.relative, digest, *alias_parts(job))) for job, digest in zip(jobs, digests)
    )
    return entry_key("run", indexing.fingerprint, cwd, *sorted(indexing.project_tops), files)


def previous_run(
    cache: Cache, indexing: Indexing, jobs: list[Job], digests: list[str | None]
) -> list[FileResult] | None:
    """The last run's result when no file it read has changed (judged by stat alone)."""
    if any(digest is None for digest in digests):
        return None
    known = [digest for digest in digests if digest is not None]
    previous = cache.get_alone(run_key(indexing, jobs, known, os.getcwd()), RUN_ENTRY)
    if previous is not None and unchanged_context(cache, previous[0]) and still_absent(previous[2]):
        return [decode_result(result) for result in previous[1]]
    return None


def still_absent(paths: Sequence[str]) -> bool:
    """Whether no module the last run looked for and did not find has appeared since (a new
    ``shop/util.py`` changes what ``from shop.util import slow`` means)."""
    return not any(os.path.exists(path) for path in paths)


def unchanged_context(cache: Cache, context: Sequence[tuple[str, str]]) -> bool:
    """Whether every module read for context last time is still the same file."""
    for path, digest in context:
        try:
            if cache.known_hash(path, os.stat(path)) != digest:
                return False
        except OSError:
            return False
    return True


def remember_run(
    cache: Cache, indexing: Indexing, jobs: list[Job], context: list[Indexed], results: list[FileResult],
    absent: Sequence[str] = (),
) -> None:
    """Store the whole result, for the next run that finds every file unchanged, every module read
    for context unchanged and every module it looked for and did not find (``absent``) still absent."""
    digests = [digest for job in jobs if (digest := manifest_digest(cache, job.path)) is not None]
    context_files = [
        (absolute(item.path), digest) for item in context if (digest := manifest_digest(cache, item.path)) is not None
    ]
    if len(digests) == len(jobs) and len(context_files) == len(context):
        key = run_key(indexing, jobs, digests, os.getcwd())
        if cache.get_alone(key, RUN_ENTRY) is None:
            encoded = tuple(encode_result(result) for result in results)
            cache.put_alone(key, (context_files, encoded, tuple(sorted(set(absent)))))


def module_digests(cache: Cache | None, items: Sequence[Indexed]) -> dict[str, str]:
    """module -> content hash of its file (from the manifest), for the plan cache."""
    if cache is None:
        return {}
    digests: dict[str, str] = {}
    for item in items:
        if item.summary is not None and item.source is None:
            digest = manifest_digest(cache, item.path)
            if digest is not None:
                digests.setdefault(item.summary.module, digest)
    return digests


def manifest_digest(cache: Cache, path: Path) -> str | None:
    """The content hash the manifest recorded for a file (this run's, once it is indexed)."""
    return cache.recorded_hash(absolute(path))


def cached_confirmation(plan: Confirmation, cache: Cache | None) -> tuple[FileResult | None, str | None]:
    """The file's libcst result as the cache holds it for these candidates (None: not held), and
    the key to keep the result under once confirmed (None: it cannot be kept)."""
    key = confirmation_key(plan, cache) if cache is not None else None
    cached = cache.get(key, FINDINGS) if cache is not None and key is not None else None
    if cached is None:
        return None, key
    findings = (replace(decode_finding(f), path=plan.display) for f in cached)
    return FileResult(plan.display, tuple(findings)), key


def remember_confirmation(cache: Cache | None, key: str | None, result: FileResult) -> None:
    """Keep a confirmed file's findings under ``cached_confirmation``'s key (not a file error)."""
    if cache is not None and key is not None and not result.error:
        cache.put(key, tuple(encode_finding(finding) for finding in result.findings))


def confirmation_key(plan: Confirmation, cache: Cache) -> str | None:
    """Keyed by the file's content hash: the manifest has it from this run's indexing, so the file
    is read again only when it is not there (standard input)."""
    digest = manifest_digest(cache, plan.path) if plan.source is None else content_hash(plan.source)
    if digest is None:
        return None
    return entry_key("confirm", digest, repr(plan.candidates), plan.library)
