"""Files -> results, in a process pool when there is enough work to pay for one."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from loopguard.discover import relative_to_root
from loopguard.engine import Settings, check_file
from loopguard.models import FileResult

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


def _check_chunk(chunk: list[Job], settings: Settings) -> list[FileResult]:
    return [check_file(job.path, job.display, job.relative, settings) for job in chunk]


def check_jobs(jobs: list[Job], settings: Settings, workers: int) -> Iterator[FileResult]:
    workers = max(1, min(workers, len(jobs) // MIN_FILES_PER_WORKER))
    if workers == 1:
        for job in jobs:
            yield check_file(job.path, job.display, job.relative, settings)
        return
    # many small chunks balance the load; each carries its share of the settings pickle only once
    chunk_size = max(8, len(jobs) // (workers * 16))
    chunks = [jobs[i : i + chunk_size] for i in range(0, len(jobs), chunk_size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for results in pool.map(_check_chunk, chunks, [settings] * len(chunks)):
            yield from results
