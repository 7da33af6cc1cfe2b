"""``chunked`` (chunks that shrink as the work left does) and ``WorkerPool.stream``: items handed
over one by one are run in the workers while more arrive, and come back in order — with a dead
worker costing only the item that killed it, as in ``map``."""

from __future__ import annotations

import os
import pickle

from test_bad_input import die_on_boom

from loopguard.pool import (
    MIN_CHUNK,
    MIN_FILES_PER_WORKER,
    STREAM_BATCH,
    Marshalled,
    WorkerPool,
    chunked,
    unmarshalled,
)


def upper_with_pid(items: list[str]) -> list[str]:
    return [f"{item.upper()}@{os.getpid()}" for item in items]


def test_a_stream_returns_every_result_in_the_order_items_were_added() -> None:
    items = [f"plan{n}" for n in range(5 * STREAM_BATCH + 1)]  # the last batch is not full
    with WorkerPool(2) as pool:
        stream = pool.stream(upper_with_pid, lambda item, why: "crashed")
        for item in items:
            stream.add(item)
        results = stream.results()
    assert [result.partition("@")[0] for result in results] == [item.upper() for item in items]
    assert str(os.getpid()) not in {result.partition("@")[2] for result in results}  # in the workers


def test_batches_start_before_the_last_item_is_added() -> None:
    with WorkerPool(2) as pool:
        stream = pool.stream(die_on_boom, lambda item, why: "crashed")
        for n in range(2 * STREAM_BATCH):
            stream.add(f"plan{n}")
        assert len(stream.started) == 2 and not stream.waiting
        assert stream.results() == [f"PLAN{n}" for n in range(2 * STREAM_BATCH)]


def test_without_workers_a_stream_runs_in_this_process() -> None:
    with WorkerPool(1) as pool:
        stream = pool.stream(upper_with_pid, lambda item, why: "crashed")
        for item in ("a", "b"):
            stream.add(item)
        assert stream.results() == [f"A@{os.getpid()}", f"B@{os.getpid()}"]
        assert pool.stream(upper_with_pid, lambda item, why: "crashed").results() == []


def test_a_dead_worker_costs_the_stream_only_the_item_that_killed_it() -> None:
    items = [f"plan{n}" for n in range(4 * STREAM_BATCH)]
    items[5] = "boom"
    with WorkerPool(2) as pool:
        stream = pool.stream(die_on_boom, lambda item, why: f"crashed {item}: {why}")
        for item in items:
            stream.add(item)
        results = stream.results()
        again = pool.stream(die_on_boom, lambda item, why: "crashed")  # a fresh pool after the break
        again.add("x")
        again_results = again.results()
    assert results[:5] == [f"PLAN{n}" for n in range(5)]
    assert results[6:] == [f"PLAN{n}" for n in range(6, 4 * STREAM_BATCH)]
    assert results[5].startswith("crashed boom: ") and "SIGSEGV" in results[5]
    assert again_results == ["X"]


def test_chunks_shrink_as_the_work_left_does_and_keep_every_item_in_order() -> None:
    items = list(range(6725))
    chunks = chunked(items, 2)
    sizes = [len(chunk) for chunk in chunks]
    assert [item for chunk in chunks for item in chunk] == items
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > 40 * MIN_CHUNK
    assert all(size >= MIN_CHUNK for size in sizes[:-1]) and len(chunks) < 100
    assert chunked([1, 2, 3], 2) == [[1, 2, 3]]


class Name(str):
    """A subclass of a built-in type: ``marshal`` cannot write it."""


def test_a_marshalled_list_crosses_as_one_marshal_string_or_else_as_a_pickled_list() -> None:
    plain = Marshalled([(("app.io", "pause"), None, 3), ("x", frozenset({1}), b"\x00")])
    assert plain.__reduce__()[0] is unmarshalled
    assert pickle.loads(pickle.dumps(plain)) == list(plain)
    odd = Marshalled([(Name("app.io"), 1)])
    assert odd.__reduce__()[0] is list  # marshal refused it: the plain list is pickled instead
    back = pickle.loads(pickle.dumps(odd))
    assert back == [("app.io", 1)] and type(back[0][0]) is Name


def marshalled_upper(items: list[str]) -> list[str]:
    return Marshalled(item.upper() for item in items)


def test_a_worker_answer_sent_marshalled_arrives_as_the_list() -> None:
    items = [f"file{n}" for n in range(2 * MIN_FILES_PER_WORKER)]
    with WorkerPool(2) as pool:
        assert pool.map(marshalled_upper, items, lambda item, why: "crashed") == [i.upper() for i in items]


def test_map_each_hands_over_each_chunk_with_its_results_in_order_as_it_is_done() -> None:
    items = [f"file{n}" for n in range(3 * MIN_FILES_PER_WORKER)]
    seen: list[tuple[list[str], list[str]]] = []
    with WorkerPool(2) as pool:
        pool.map_each(upper_with_pid, items, lambda item, why: "crashed", lambda chunk, part: seen.append((chunk, part)))
    assert len(seen) > 1  # chunk by chunk, not once at the end
    assert [item for chunk, _part in seen for item in chunk] == items
    for chunk, part in seen:
        assert [result.partition("@")[0] for result in part] == [item.upper() for item in chunk]


def test_map_each_hands_a_dead_workers_chunk_over_with_the_crash_in_its_place() -> None:
    items = [f"plan{n}" for n in range(2 * MIN_FILES_PER_WORKER)]
    items[5] = "boom"
    seen: list[str] = []
    with WorkerPool(2) as pool:
        pool.map_each(die_on_boom, items, lambda item, why: f"crashed:{item}", lambda chunk, part: seen.extend(part))
    assert seen == [("crashed:boom" if item == "boom" else item.upper()) for item in items]
