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
from collections.abc import Callable, Iterator, Sequence
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


#: This process looks for what a forked child sent at most this often (seconds), a poll costing a
#: ``select``.
POLL_EVERY_S = 0.01
#: A process claims about 1/GUIDED of what is left of a share at once (``Claims``): few claims
#: (each takes the lock), and single items at the end, so that the processes end together.
GUIDED = 32
#: Held for a few microseconds at a time: a process that waits this long for the lock (seconds)
#: stops claiming (the holder died in between: it was killed)
LOCK_WAIT_S = 5.0


class Claims:
    """Items in consecutive shares, one per process (this one and children forked after this is
    made), claimed through memory the processes share (an anonymous ``mmap``: a fork keeps it
    shared). Each process takes its own share from the front, then helps with the share that has
    the most left, from its back — so that they all end together, whatever each one's items cost
    and whatever else each process does meanwhile (homeassistant's planning: the main process
    also sends plans to be confirmed and takes the child's; with fixed shares it ended ~0.1 s of
    CPU after the child). Each item done is marked there too, so that the items of a process that
    died are known exactly (``undone``)."""

    def __init__(self, sizes: Sequence[int]) -> None:
        import mmap
        import multiprocessing

        self.total = sum(sizes)
        ends = 16 * len(sizes)  # each share's front and back: two 8-byte integers
        self._memory = mmap.mmap(-1, ends + self.total)  # shared (MAP_SHARED) and anonymous
        self._ends = memoryview(self._memory)[:ends].cast("q")
        self._done = memoryview(self._memory)[ends:]
        start = 0
        for share, size in enumerate(sizes):
            self._ends[2 * share], self._ends[2 * share + 1] = start, start + size
            start += size
        self._lock = multiprocessing.get_context("fork").Lock()

    def taking(self, share: int) -> Iterator[int]:
        """The items this process claims, ``share``'s first: until every share is claimed."""
        while True:
            if not self._lock.acquire(timeout=LOCK_WAIT_S):
                return  # a process died holding it: what is left is ``undone`` at the end
            try:
                found = self._claim(share)
            finally:
                self._lock.release()
            if found is None:
                return
            yield from found

    def _claim(self, share: int) -> range | None:
        ends = self._ends
        front, back = ends[2 * share], ends[2 * share + 1]
        if front < back:  # its own share: from the front
            taken = max(1, (back - front) // GUIDED)
            ends[2 * share] = front + taken
            return range(front, front + taken)
        left = [ends[2 * other + 1] - ends[2 * other] for other in range(len(ends) // 2)]
        most = max(range(len(left)), key=left.__getitem__)
        if left[most] <= 0:
            return None
        back = ends[2 * most + 1]
        taken = max(1, left[most] // GUIDED)  # from the back: the items its owner would reach last
        ends[2 * most + 1] = back - taken
        return range(back - taken, back)

    def mark(self, index: int) -> None:
        """Item ``index`` is done (its result, if any, sent first: a mark means nothing is lost)."""
        self._done[index] = 1

    def undone(self) -> list[int]:
        """The items no process marked done."""
        return [index for index, done in enumerate(bytes(self._done)) if not done]


def _run_part(
    connection: Connection, work: Callable[[T], R | None], items: Sequence[T], claims: Claims, share: int,
    starting: Callable[[], object], ending: Callable[[], object],
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # an interrupt is the parent's to handle
    try:
        starting()
        for index in claims.taking(share):
            result = work(items[index])
            if result is not None:
                connection.send((index, result))
            claims.mark(index)
        connection.send((-1, ending()))
    except BaseException:  # noqa: BLE001, S110 - whatever is left, the parent does itself
        pass
    finally:
        connection.close()


class ForkedPart(Generic[T, R]):
    """``work`` over the items of ``claims`` (all of ``items`` by default) that a child forked from
    this process claims for ``share``, while this process does other work: the child starts with
    this process's memory as it is (shared until written, never pickled), runs ``starting()``
    first, sends back each result that is not None as it is made (with the item's index), and
    ``ending()`` last. ``work`` must catch what its items raise; if the child dies anyway, the
    items it left are those ``claims.undone`` gives once every process is done."""

    def __init__(
        self, work: Callable[[T], R | None], items: Sequence[T],
        starting: Callable[[], object] = lambda: None, ending: Callable[[], object] = lambda: None,
        claims: Claims | None = None, share: int = 0,
    ) -> None:
        import multiprocessing

        self.claims = Claims([len(items)]) if claims is None else claims
        self.ended: object = None
        self.next_poll = 0.0
        self.receiver, sender = multiprocessing.Pipe(duplex=False)
        process = multiprocessing.get_context("fork").Process(
            target=_run_part, args=(sender, work, items, self.claims, share, starting, ending), daemon=True
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

    def finish(self) -> tuple[list[tuple[int, R]], object]:
        """The results not yet taken by ``ready``, once the child ended; what ``ending`` gave
        (None when the child died)."""
        found: list[tuple[int, R]] = []
        while self.process is not None:
            found += self._receive()
        return found, self.ended

    def _receive(self) -> list[tuple[int, R]]:
        try:
            index, result = self.receiver.recv()
        except (EOFError, OSError):  # the child died, or ended without its last message
            self._close()
            return []
        if index < 0:  # the end
            self.ended = result
            self._close()
            return []
        self.claims.mark(index)  # (the child marks it only once sent: it may die in between)
        return [(index, result)]

    def _close(self) -> None:
        self.receiver.close()
        if self.process is not None:
            self.process.join()
            self.process = None
