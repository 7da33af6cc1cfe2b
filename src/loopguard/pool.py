"""Work in worker processes, where a crash costs the file that caused it and nothing else.

A native parser (libcst's, CPython's) can still die on input no check foresaw — a stack overflow
is a SIGSEGV, not an exception. In a ``ProcessPoolExecutor`` that breaks the pool: every pending
chunk fails with ``BrokenProcessPool``. ``WorkerPool`` catches that, runs each unfinished chunk again
alone in a fresh single-use process, and when a chunk dies alone, each of its items alone: the items
that still kill their process are reported through ``on_crash`` (an LG001 naming the signal), the
others are checked as usual, and the run goes on with a fresh pool.

Without a pool (fewer than ``MIN_FILES_PER_WORKER`` files per worker) everything runs in the main
process: there, what reaches a native parser is bounded beforehand (``sourcetext.libcst_refusal``).

``ForkedPart`` is the other way to share work: a child forked from this process when it already
holds what the work reads (the linked project of a run, too large to send to the pool's workers),
for work that is pure Python — a child that dies leaves its items to this process.
"""

from __future__ import annotations

import marshal
import signal
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:  # imported where a pool or a process is started: a run of a few files starts none
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

T = TypeVar("T")
R = TypeVar("R")

# below this many files the pool's start-up (a fork and an import per worker) costs more than it saves
MIN_FILES_PER_WORKER = 64
#: the smallest chunk ``chunked`` makes (~25 ms of indexing, ~250 ms of confirming)
MIN_CHUNK = 8
#: items a ``Stream`` gathers before it starts them: a file to confirm takes ~30 ms, this keeps
#: both workers fed while the main process plans (a batch sent costs ~1 ms)
STREAM_BATCH = 4


class Marshalled(list[T]):
    """A worker's answer that crosses back to the main process as one ``marshal`` string: for the
    plain tuples, strings and numbers of encoded summaries, ``marshal`` writes twice as fast as
    ``pickle`` (homeassistant's: 0.32 s against 0.72 s of a worker's CPU) and reads as fast.
    Anything ``marshal`` cannot write (a subclass of a built-in type) goes as a plain pickled list.
    The bytes come from this run's own workers, as pickles do."""

    __slots__ = ()

    def __reduce__(self) -> tuple[object, ...]:
        try:
            return unmarshalled, (marshal.dumps(list(self)),)
        except ValueError:  # marshal refuses anything but the exact built-in types
            return list, (list(self),)


def unmarshalled(data: bytes) -> list[T]:
    found: list[T] = marshal.loads(data)  # written by Marshalled.__reduce__ in this run's worker
    return found


def chunked(items: Sequence[T], workers: int) -> list[list[T]]:
    """Chunks that shrink as the work left does (guided scheduling): the first are large (each
    costs a submission: the function and the settings, ~100 kB pickled), the last small, so the
    workers finish together — with 32 equal chunks of homeassistant, one worker idled for half a
    chunk (~0.35 s) on average while the other finished its last."""
    chunks = []
    start = 0
    while start < len(items):
        size = max(MIN_CHUNK, (len(items) - start) // (workers * 6))
        chunks.append(list(items[start : start + size]))
        start += size
    return chunks


def crash_reason(exit_code: int | None) -> str:
    """What killed a worker, in the words of an LG001."""
    if exit_code is not None and exit_code < 0:
        try:
            name = signal.Signals(-exit_code).name
        except ValueError:
            name = f"signal {-exit_code}"
        how = f"killed by {name}"
    else:
        how = f"exit status {exit_code}"
    return (
        f"cannot analyse file: the analysing process crashed on it ({how}; a native parser's stack "
        "overflow, or the process ran out of memory); the other files were checked"
    )


def _send_result(connection: Connection, function: Callable[[list[T]], list[R]], items: list[T]) -> None:
    connection.send(function(items))
    connection.close()


def run_alone(function: Callable[[list[T]], list[R]], items: list[T]) -> list[R] | int:
    """``function(items)`` in a fresh single-use process: its result, or the exit code it died with."""
    import multiprocessing

    receiver, sender = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.Process(target=_send_result, args=(sender, function, items), daemon=True)
    process.start()
    sender.close()
    try:
        result: list[R] | int = receiver.recv()  # before join: a large result must not fill the pipe
    except EOFError:
        result = -1
    finally:
        receiver.close()
    process.join()
    if process.exitcode != 0 and not isinstance(result, list):
        return process.exitcode if process.exitcode is not None else -1
    return result


def isolate(
    function: Callable[[list[T]], list[R]], chunk: list[T], on_crash: Callable[[T, str], R]
) -> list[R]:
    """A chunk whose worker died: again alone, then item by item to find the culprit(s)."""
    whole = run_alone(function, chunk)
    if isinstance(whole, list):
        return whole
    if len(chunk) == 1:
        return [on_crash(chunk[0], crash_reason(whole))]
    results: list[R] = []
    for item in chunk:
        alone = run_alone(function, [item])
        results += alone if isinstance(alone, list) else [on_crash(item, crash_reason(alone))]
    return results


class WorkerPool:
    """A process pool of ``workers`` that outlives the death of one of them (see the module doc)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> WorkerPool:  # noqa: PYI034 - Self needs Python 3.11
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.discard()

    def executor(self) -> ProcessPoolExecutor:
        if self._executor is None:
            from concurrent.futures import ProcessPoolExecutor

            self._executor = ProcessPoolExecutor(max_workers=self.workers)
        return self._executor

    def discard(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def prepare(self, function: Callable[[], object]) -> None:
        """``function()`` started once per worker when the workers are running (a pool never
        starts for it), not waited for: what the next stage would do first in each of them (an
        import), done while this process is busy alone. Idempotent work only: a worker may get
        two of these and another none."""
        if self._executor is None:
            return
        from concurrent.futures.process import BrokenProcessPool

        try:
            for _worker in range(self.workers):
                self._executor.submit(function)
        except BrokenProcessPool:
            self.discard()

    def map(
        self,
        function: Callable[[list[T]], list[R]],
        items: list[T],
        on_crash: Callable[[T, str], R],
        advance: Callable[[int], None] = lambda done: None,
    ) -> list[R]:
        """``function`` over ``items`` (in order), in the pool when there is one and enough work;
        ``advance`` is told how many items each finished chunk held (the progress bar)."""
        results: list[R] = []

        def take(_chunk: list[T], part: list[R]) -> None:
            results.extend(part)
            advance(len(part))

        self.map_each(function, items, on_crash, take)
        return results

    def map_each(
        self,
        function: Callable[[list[T]], list[R]],
        items: list[T],
        on_crash: Callable[[T, str], R],
        each: Callable[[list[T], list[R]], None],
    ) -> None:
        """``map``, each chunk's items and results handed to ``each`` in order as soon as the chunk
        is done: this process works on a chunk's results while the workers go on with the next
        (decoding homeassistant's summaries took 0.08 s after the last chunk, both cores idle)."""
        if not items:
            return
        if self.workers <= 1 or len(items) < MIN_FILES_PER_WORKER:
            each(items, function(items))
            return
        chunks = chunked(items, self.workers)
        futures = [self.submit(function, chunk) for chunk in chunks]
        for chunk, future in zip(chunks, futures):
            each(chunk, self.collect(function, chunk, future, on_crash))

    def submit(self, function: Callable[[list[T]], list[R]], chunk: list[T]) -> Future[list[R]] | None:
        """``function(chunk)`` started in the pool; None when the pool is broken (``collect``
        then runs it alone)."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            return self.executor().submit(function, chunk)
        except BrokenProcessPool:
            self.discard()
            return None

    def collect(
        self,
        function: Callable[[list[T]], list[R]],
        chunk: list[T],
        future: Future[list[R]] | None,
        on_crash: Callable[[T, str], R],
    ) -> list[R]:
        """What ``submit`` started, once done; a chunk the pool could not finish, alone."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            if future is not None:
                return future.result()
        except BrokenProcessPool:
            self.discard()  # broken for good: the next phase starts a fresh one
        return isolate(function, chunk, on_crash)

    def stream(self, function: Callable[[list[T]], list[R]], on_crash: Callable[[T, str], R]) -> Stream[T, R]:
        """A ``map`` whose items arrive one by one (``Stream.add``), each batch started in the pool
        at once, so the workers run it while the main process goes on producing the next."""
        return Stream(self, function, on_crash)


class Stream(Generic[T, R]):
    """See ``WorkerPool.stream``: without workers, everything runs in ``results``, in this process."""

    def __init__(
        self, pool: WorkerPool, function: Callable[[list[T]], list[R]], on_crash: Callable[[T, str], R]
    ) -> None:
        self.pool = pool
        self.function = function
        self.on_crash = on_crash
        self.waiting: list[T] = []
        self.started: list[tuple[list[T], Future[list[R]] | None]] = []

    def add(self, item: T) -> None:
        self.waiting.append(item)
        if self.pool.workers > 1 and len(self.waiting) >= STREAM_BATCH:
            self.start()

    def start(self) -> None:
        batch, self.waiting = self.waiting, []
        self.started.append((batch, self.pool.submit(self.function, batch)))

    def results(self) -> list[R]:
        """Every item's result, in the order they were added."""
        if self.pool.workers <= 1:
            batch, self.waiting = self.waiting, []
            return self.function(batch) if batch else []
        if self.waiting:
            self.start()
        found: list[R] = []
        for batch, future in self.started:
            found += self.pool.collect(self.function, batch, future, self.on_crash)
        self.started = []
        return found


def can_fork() -> bool:
    """Whether ``ForkedPart`` may fork: on Linux, where a fork is cheap and safe for pure Python
    work (macOS's system libraries are not fork-safe, and Windows has no fork)."""
    import multiprocessing

    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


#: A forked child says how far it got at least this often (in items) when ``work`` has nothing
#: to send; this process looks for what it sent at most this often (seconds), a poll costing a
#: ``select``.
PROGRESS_EVERY = 256
POLL_EVERY_S = 0.01


def _run_part(
    connection: Connection, work: Callable[[T], R | None], items: Sequence[T],
    starting: Callable[[], object], ending: Callable[[], object],
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # an interrupt is the parent's to handle
    try:
        starting()
        for index, item in enumerate(items):
            result = work(item)
            if result is not None or index % PROGRESS_EVERY == PROGRESS_EVERY - 1:
                connection.send((index, result))
        connection.send((len(items), ending()))
    except BaseException:  # noqa: BLE001, S110 - whatever is left, the parent does itself
        pass
    finally:
        connection.close()


class ForkedPart(Generic[T, R]):
    """``work`` over ``items`` in a child forked from this process, while this process does other
    work: the child starts with this process's memory as it is (shared until written, never
    pickled), runs ``starting()`` first, sends back each result that is not None as it is made,
    and ``ending()`` last. ``work`` must catch what its items raise; if the child dies anyway,
    ``finish`` says which items may not have been done."""

    def __init__(
        self, work: Callable[[T], R | None], items: Sequence[T],
        starting: Callable[[], object] = lambda: None, ending: Callable[[], object] = lambda: None,
    ) -> None:
        import multiprocessing

        self.items = items
        self.reached = 0  # every item before this index is done
        self.ended: object = None
        self.next_poll = 0.0
        self.receiver, sender = multiprocessing.Pipe(duplex=False)
        process = multiprocessing.get_context("fork").Process(
            target=_run_part, args=(sender, work, items, starting, ending), daemon=True
        )
        with warnings.catch_warnings():
            # Python 3.12+ warns of a fork in a process with threads (the pool's): the child runs
            # only ``work`` and its own pipe, none of the locks those threads take
            warnings.simplefilter("ignore", DeprecationWarning)
            process.start()
        sender.close()
        self.process: BaseProcess | None = process

    def ready(self) -> list[tuple[int, R]]:
        """The results sent since the last look (index in ``items``, result), without waiting."""
        now = time.monotonic()
        if now < self.next_poll:
            return []
        self.next_poll = now + POLL_EVERY_S
        found: list[tuple[int, R]] = []
        while self.process is not None and self.receiver.poll():
            found += self._receive()
        return found

    def finish(self) -> tuple[list[tuple[int, R]], range, object]:
        """The results not yet taken by ``ready``; the indexes of the items the child may not
        have done (it died); what ``ending`` gave (None when the child died)."""
        found: list[tuple[int, R]] = []
        while self.process is not None:
            found += self._receive()
        return found, range(self.reached, len(self.items)), self.ended

    def _receive(self) -> list[tuple[int, R]]:
        try:
            index, result = self.receiver.recv()
        except (EOFError, OSError):  # the child died, or ended without its last message
            self._close()
            return []
        self.reached = index + 1 if index < len(self.items) else index
        if index == len(self.items):
            self.ended = result
            self._close()
            return []
        return [] if result is None else [(index, result)]

    def _close(self) -> None:
        self.receiver.close()
        if self.process is not None:
            self.process.join()
            self.process = None
