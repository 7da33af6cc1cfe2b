"""Sleeping and waiting (LG1xx): sleeps, thread locks and queues, futures, child processes, nested loops.

Every entry here waits for *something else* (a timer, another thread, a process, a future) while
holding the event loop. An asyncio ``Future.result()`` never waits, so only futures known to be
``concurrent.futures`` ones (``executor.submit(...)``) are reported. ``with lock:`` on a
``threading`` lock or condition is reported like ``acquire()``: the ``Type.__enter__`` entries of
LG102 match the ``with`` statement.
"""

from loopguard.catalogue.advice import methods, to_thread
from loopguard.models import BuiltAs, NonWaiting, Rule

#: ``timeout=0`` as the first parameter: ``join(0)``, ``wait(timeout=0)``, ``result(0)``.
_NO_TIMEOUT = (NonWaiting(0, "timeout", 0),)
#: ``queue.get(block=False)`` / ``get(True, 0)``, ``put(item, block=False)`` / ``put(item, True, 0)``.
_QUEUE: dict[str, tuple[NonWaiting, ...]] = {
    "get": (NonWaiting(0, "block", False), NonWaiting(1, "timeout", 0)),
    "put": (NonWaiting(1, "block", False), NonWaiting(2, "timeout", 0)),
}

#: A queue built without a positive ``maxsize`` never fills, so ``put()`` on it never waits: the
#: resolver types it ``Type[unbounded]`` (``BUILT_AS``), whose rules list only ``get``/``join``.
_UNBOUNDED = "[unbounded]"

_LOCKS = ("threading.Lock", "threading.RLock", "threading.Semaphore", "threading.BoundedSemaphore")
_THREAD_QUEUES = ("queue.Queue", "queue.LifoQueue", "queue.PriorityQueue")
_EXECUTORS = (
    "concurrent.futures.Executor",
    "concurrent.futures.ThreadPoolExecutor",
    "concurrent.futures.ProcessPoolExecutor",
)
_POOL_WAITS = (
    "map", "apply", "starmap", "imap", "imap_unordered", "join", "terminate",
)

RULES = (
    Rule(
        code="LG101",
        name="blocking-sleep",
        safe_fixes={"time.sleep": "async-sleep"},
        domain="sleeping and waiting",
        summary="`time.sleep` in a coroutine.",
        functions=("time.sleep",),
        instead={
            "asyncio": "`await asyncio.sleep(...)`",
            "anyio": "`await anyio.sleep(...)`",
            "trio": "`await trio.sleep(...)`",
        },
        non_waiting={
            "sleep": (
                NonWaiting(
                    0, "", 0,
                    note="`time.sleep(0)` does not wait, but it does not yield to other tasks either",
                ),
            ),
        },
        why="`time.sleep` suspends the whole thread, so no other task on the event loop runs until it returns.",
        example=(
            "import time\n\n\n"
            "async def poll():\n"
            "    time.sleep(1)"
        ),
        use_instead=(
            "import asyncio\n\n\n"
            "async def poll():\n"
            "    await asyncio.sleep(1)"
        ),
    ),
    Rule(
        code="LG102",
        name="thread-sync-wait",
        thread_fix=False,
        fix_safety="No thread fix: a lock acquired in a worker thread is owned by that thread (an `RLock` or a "
        "`Condition` then fails to release or wait on the loop's).",
        domain="sleeping and waiting",
        summary="Waiting on a `threading` primitive: `Lock/RLock/Semaphore/BoundedSemaphore.acquire()` "
        "and `with lock:`, `Condition.acquire/wait/wait_for` and `with condition:`, `Barrier.wait`, "
        "`Event.wait`.",
        methods=(
            *(f"{lock}.acquire" for lock in _LOCKS),
            *(f"{lock}.__enter__" for lock in (*_LOCKS, "threading.Condition")),
            *methods("threading.Condition", "acquire", "wait", "wait_for"),
            "threading.Barrier.wait",
            "threading.Event.wait",
        ),
        instead=to_thread(
            "{api}",
            asyncio="`asyncio.Lock`/`Semaphore`/`Condition`/`Event` when only coroutines use it",
            anyio="`anyio.Lock`/`Semaphore`/`Condition`/`Event` when only tasks use it",
            trio="`trio.Lock`/`Semaphore`/`Condition`/`Event` when only tasks use it",
        ),
        non_waiting={
            "acquire": (NonWaiting(0, "blocking", False), NonWaiting(1, "timeout", 0)),
            "wait": _NO_TIMEOUT,
            "wait_for": (NonWaiting(1, "timeout", 0),),
        },
        suggest_as={
            f"{lock}.__enter__": f"{lock}.acquire" for lock in (*_LOCKS, "threading.Condition")
        },
        why="A thread primitive blocks the calling thread until another thread releases or sets it; "
        "if that thread needs the loop to make progress, the program deadlocks. "
        "`acquire(blocking=False)`, `acquire(timeout=0)` and `wait(0)` do not wait and are not reported.",
        example=(
            "import threading\n\n"
            "done = threading.Event()\n\n\n"
            "async def handle(job):\n"
            "    done.wait()"
        ),
        use_instead=(
            "import asyncio\n"
            "import threading\n\n"
            "done = threading.Event()\n\n\n"
            "async def handle(job):\n"
            "    await asyncio.to_thread(done.wait)"
        ),
    ),
    Rule(
        code="LG103",
        name="thread-join",
        domain="sleeping and waiting",
        summary="`threading.Thread.join()` (also on `Timer` and project subclasses of `Thread`).",
        methods=("threading.Thread.join", "threading.Timer.join"),
        instead=to_thread("{api}"),
        non_waiting={"join": _NO_TIMEOUT},
        why="`join()` waits for the thread to finish, however long its work takes.",
        example=(
            "import threading\n\n\n"
            "async def stop(worker: threading.Thread):\n"
            "    worker.join()"
        ),
        use_instead=(
            "import asyncio\n"
            "import threading\n\n\n"
            "async def stop(worker: threading.Thread):\n"
            "    await asyncio.to_thread(worker.join)"
        ),
    ),
    Rule(
        code="LG104",
        name="thread-queue-wait",
        domain="sleeping and waiting",
        summary="`queue.Queue/LifoQueue/PriorityQueue` `.get() .put() .join()` and `SimpleQueue.get()` "
        "(the blocking forms; `get_nowait`/`put_nowait` are not reported).",
        methods=(
            *(f"{q}.{m}" for q in _THREAD_QUEUES for m in ("get", "put", "join")),
            *(f"{q}{_UNBOUNDED}.{m}" for q in _THREAD_QUEUES for m in ("get", "join")),
            "queue.SimpleQueue.get",
        ),
        instead={
            "asyncio": "`asyncio.Queue` (`janus.Queue` to share it with threads)",
            "anyio": "`anyio.create_memory_object_stream()` "
            "(`janus.Queue` to share it with threads)",
            "trio": "`trio.open_memory_channel()` (`trio.from_thread` to feed it from threads)",
        },
        non_waiting=_QUEUE,
        why="`get()` waits until another thread puts an item; `put()` on a full bounded queue waits "
        "for room; `join()` waits until every item is processed.",
        example=(
            "import queue\n\n"
            "jobs = queue.Queue()\n\n\n"
            "async def worker():\n"
            "    job = jobs.get()"
        ),
        use_instead=(
            "import asyncio\n\n"
            "jobs = asyncio.Queue()\n\n\n"
            "async def worker():\n"
            "    job = await jobs.get()"
        ),
    ),
    Rule(
        code="LG105",
        name="concurrent-future-wait",
        lazy_results=tuple(f"{executor}.map" for executor in _EXECUTORS),
        domain="sleeping and waiting",
        summary="Waiting on `concurrent.futures`: `Future.result/exception` of a future known to be a "
        "concurrent one (from `executor.submit`), `wait`, `as_completed`, `Executor.shutdown`, "
        "`Executor.map` (its results are only read by blocking iteration).",
        functions=("concurrent.futures.wait", "concurrent.futures.as_completed"),
        methods=(
            *methods("concurrent.futures.Future", "result", "exception"),
            *(f"{executor}.{m}" for executor in _EXECUTORS for m in ("shutdown", "map")),
        ),
        instead={
            "asyncio": "`await asyncio.wrap_future(future)` "
            "or `await loop.run_in_executor(executor, f, ...)`",
            "anyio": "`await anyio.to_thread.run_sync(f, ...)` instead of an executor",
            "trio": "`await trio.to_thread.run_sync(f, ...)` instead of an executor",
        },
        non_waiting={
            "result": _NO_TIMEOUT,
            "exception": _NO_TIMEOUT,
            "shutdown": (NonWaiting(0, "wait", False),),
            "wait": (NonWaiting(1, "timeout", 0),),
        },
        why="A concurrent future is completed by another thread or process; reading its result blocks "
        "until then. An asyncio future's `result()` never waits and is not reported.",
        example=(
            "from concurrent.futures import ThreadPoolExecutor\n\n"
            "from myapp.pdf import render_pdf\n\n\n"
            "async def render(pool: ThreadPoolExecutor, page):\n"
            "    return pool.submit(render_pdf, page).result()"
        ),
        use_instead=(
            "import asyncio\n"
            "from concurrent.futures import ThreadPoolExecutor\n\n"
            "from myapp.pdf import render_pdf\n\n\n"
            "async def render(pool: ThreadPoolExecutor, page):\n"
            "    return await asyncio.get_running_loop().run_in_executor(pool, render_pdf, page)"
        ),
    ),
    Rule(
        code="LG106",
        name="multiprocessing-wait",
        lazy_results=tuple(
            f"multiprocessing.pool.{pool}.{m}" for pool in ("Pool", "ThreadPool") for m in ("imap", "imap_unordered")
        ),
        domain="sleeping and waiting",
        summary="`multiprocessing`: `Process.join`, `Pool.map/apply/starmap/imap/imap_unordered/join`, "
        "`AsyncResult.get/wait`, `Queue.get/put/join`, `Connection.recv/recv_bytes/poll`, "
        "`Listener.accept`.",
        methods=(
            "multiprocessing.Process.join",
            *methods("multiprocessing.pool.Pool", *_POOL_WAITS),
            *methods("multiprocessing.pool.ThreadPool", *_POOL_WAITS),
            *methods("multiprocessing.pool.AsyncResult", "get", "wait"),
            *methods("multiprocessing.queues.Queue", "get", "put"),
            *methods("multiprocessing.queues.JoinableQueue", "get", "put", "join"),
            f"multiprocessing.queues.Queue{_UNBOUNDED}.get",
            *methods(f"multiprocessing.queues.JoinableQueue{_UNBOUNDED}", "get", "join"),
            "multiprocessing.queues.SimpleQueue.get",
            *methods("multiprocessing.connection.Connection", "recv", "recv_bytes", "recv_bytes_into", "poll"),
            "multiprocessing.connection.Listener.accept",
        ),
        instead={
            "asyncio": "`await loop.run_in_executor(ProcessPoolExecutor(), f, ...)`",
            "anyio": "`await anyio.to_process.run_sync(f, ...)`",
            "trio": "`await trio.to_thread.run_sync(pool.map, f, items)` "
            "(or the trio-parallel package)",
        },
        non_waiting={**_QUEUE, "join": _NO_TIMEOUT, "wait": _NO_TIMEOUT},
        why="These wait for another process: its exit, its results, or its next message.",
        example=(
            "import multiprocessing\n\n"
            "from myapp.scoring import score\n\n\n"
            "async def crunch(items):\n"
            "    with multiprocessing.Pool() as pool:\n"
            "        return pool.map(score, items)"
        ),
        use_instead=(
            "import asyncio\n"
            "from concurrent.futures import ProcessPoolExecutor\n\n"
            "from myapp.scoring import score\n\n\n"
            "async def crunch(items):\n"
            "    loop = asyncio.get_running_loop()\n"
            "    with ProcessPoolExecutor() as pool:\n"
            "        futures = [loop.run_in_executor(pool, score, item) for item in items]\n"
            "        return await asyncio.gather(*futures)"
        ),
    ),
    Rule(
        code="LG107",
        name="nested-event-loop",
        safe_fixes={
            "asyncio.run": "await-coroutine",
            "asyncio.AbstractEventLoop.run_until_complete": "await-coroutine",
        },
        thread_fix=False,
        domain="sleeping and waiting",
        summary="`asyncio.run`, `asyncio.Runner.run`, `loop.run_until_complete/run_forever` (the loop's "
        "type known, e.g. from `asyncio.new_event_loop()`), `anyio.run`, `trio.run` inside a coroutine.",
        functions=("asyncio.run", "anyio.run", "trio.run"),
        methods=(
            *methods("asyncio.AbstractEventLoop", "run_until_complete", "run_forever"),
            "asyncio.Runner.run",
        ),
        instead={
            "asyncio": "`await coro` (or `asyncio.create_task(coro)`)",
            "anyio": "`await coro` (or a task group's `start_soon`)",
            "trio": "`await coro` (or a nursery's `start_soon`)",
        },
        why="Starting an event loop from a coroutine runs it on top of the current one: asyncio raises "
        "`RuntimeError` when a loop is already running in the thread, and a second loop would block "
        "the first until it finishes anyway.",
        example=(
            "import asyncio\n\n"
            "from myapp.feeds import fetch_all\n\n\n"
            "async def refresh():\n"
            "    return asyncio.run(fetch_all())"
        ),
        use_instead=(
            "from myapp.feeds import fetch_all\n\n\n"
            "async def refresh():\n"
            "    return await fetch_all()"
        ),
        fix_safety="`run_forever`, `asyncio.Runner.run`, `anyio.run` and `trio.run` are not fixed: the last two "
        "take a function, not a coroutine, and trio's loop is not asyncio's.",
    ),
)

_LOOP = "asyncio.AbstractEventLoop"

#: Methods that run a sync callback on the event loop later, and the position of the callback among
#: their arguments (``loop.call_later(delay, callback)``): the callback's body is checked like a
#: coroutine's. The index sees them by method name, so two schedulers of one name must agree.
LOOP_SCHEDULERS = {
    **{f"{_LOOP}.{method}": 0 for method in ("call_soon", "call_soon_threadsafe")},
    **{
        f"{_LOOP}.{method}": 1
        for method in ("call_later", "call_at", "add_reader", "add_writer", "add_signal_handler")
    },
    "asyncio.Future.add_done_callback": 0,
    "asyncio.Task.add_done_callback": 0,
}

#: A type whose ``done()`` test, when true, settles it, and the type it has where it holds
#: (``narrowing.py``): ``result()`` and ``exception()`` of a done future return at once.
SETTLED_WHEN_DONE = {"concurrent.futures.Future": "concurrent.futures.DoneFuture"}

RETURNS = {
    **{f"{executor}.submit": "concurrent.futures.Future" for executor in _EXECUTORS},
    "asyncio.new_event_loop": _LOOP,
    "asyncio.get_event_loop": _LOOP,
    "asyncio.get_running_loop": _LOOP,
    "asyncio.AbstractEventLoopPolicy.new_event_loop": _LOOP,
    "asyncio.AbstractEventLoopPolicy.get_event_loop": _LOOP,
    "asyncio.get_event_loop_policy": "asyncio.AbstractEventLoopPolicy",
    "uvloop.new_event_loop": _LOOP,
    "asyncio.Runner.get_loop": _LOOP,
    # asyncio futures and tasks: their add_done_callback schedules a sync callback on the loop
    "asyncio.create_task": "asyncio.Task",
    "asyncio.ensure_future": "asyncio.Task",
    "asyncio.AbstractEventLoop.create_task": "asyncio.Task",
    "asyncio.AbstractEventLoop.create_future": "asyncio.Future",
    "asyncio.TaskGroup.create_task": "asyncio.Task",
    # multiprocessing: the module-level factories are bound methods of the default context
    "multiprocessing.Pool": "multiprocessing.pool.Pool",
    "multiprocessing.Queue": "multiprocessing.queues.Queue",
    "multiprocessing.JoinableQueue": "multiprocessing.queues.JoinableQueue",
    "multiprocessing.SimpleQueue": "multiprocessing.queues.SimpleQueue",
    "multiprocessing.get_context": "multiprocessing.context.BaseContext",
    "multiprocessing.context.BaseContext.Pool": "multiprocessing.pool.Pool",
    "multiprocessing.context.BaseContext.Process": "multiprocessing.Process",
    "multiprocessing.context.BaseContext.Queue": "multiprocessing.queues.Queue",
    "multiprocessing.context.BaseContext.JoinableQueue": "multiprocessing.queues.JoinableQueue",
    "multiprocessing.context.BaseContext.SimpleQueue": "multiprocessing.queues.SimpleQueue",
    **{
        f"multiprocessing.pool.{pool}.{method}": "multiprocessing.pool.AsyncResult"
        for pool in ("Pool", "ThreadPool")
        for method in ("apply_async", "map_async", "starmap_async")
    },
    "multiprocessing.connection.Client": "multiprocessing.connection.Connection",
    "multiprocessing.connection.Listener.accept": "multiprocessing.connection.Connection",
}

ALIASES = {
    "concurrent.futures.thread.ThreadPoolExecutor": "concurrent.futures.ThreadPoolExecutor",
    "concurrent.futures.process.ProcessPoolExecutor": "concurrent.futures.ProcessPoolExecutor",
    "concurrent.futures._base.Executor": "concurrent.futures.Executor",
    "concurrent.futures._base.Future": "concurrent.futures.Future",
    "concurrent.futures._base.wait": "concurrent.futures.wait",
    "concurrent.futures._base.as_completed": "concurrent.futures.as_completed",
    "asyncio.BaseEventLoop": _LOOP,
    "asyncio.events.AbstractEventLoop": _LOOP,
    "asyncio.base_events.BaseEventLoop": _LOOP,
    "asyncio.unix_events.SelectorEventLoop": _LOOP,
    "asyncio.SelectorEventLoop": _LOOP,
    "asyncio.ProactorEventLoop": _LOOP,
    "asyncio.events.new_event_loop": "asyncio.new_event_loop",
    "asyncio.events.get_event_loop": "asyncio.get_event_loop",
    "asyncio.events.get_running_loop": "asyncio.get_running_loop",
    "asyncio.runners.run": "asyncio.run",
    "asyncio.runners.Runner": "asyncio.Runner",
    "threading._RLock": "threading.RLock",
    "multiprocessing.context.Process": "multiprocessing.Process",
    "multiprocessing.process.BaseProcess": "multiprocessing.Process",
    "multiprocessing.dummy.Pool": "multiprocessing.pool.ThreadPool",
    "multiprocessing.connection.PipeConnection": "multiprocessing.connection.Connection",
}

#: Constructors whose queue has no positive ``maxsize`` when it is left out or 0 (see ``_UNBOUNDED``).
BUILT_AS = {
    **{q: BuiltAs(0, "maxsize", 0, f"{q}{_UNBOUNDED}") for q in _THREAD_QUEUES},
    **{
        f"{factory}.{kind}": BuiltAs(0, "maxsize", 0, f"multiprocessing.queues.{kind}{_UNBOUNDED}")
        for factory in ("multiprocessing", "multiprocessing.context.BaseContext")
        for kind in ("Queue", "JoinableQueue")
    },
}
