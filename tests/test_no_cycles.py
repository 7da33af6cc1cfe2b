"""Indexing and summarising a file leave no reference cycles behind.

A worker indexes with the cyclic garbage collector paused (``runner.collector_paused``): whatever
a file's index keeps alive through a cycle — its ``ast`` tree, its call sites, its scopes — stays
in memory until the chunk ends. On homeassistant that was ~850 objects per file, and each worker
grew to ~380 MB; freed as each file ends, the memory is used again."""

from __future__ import annotations

import ast
import gc
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from loopguard.analysis.index import index_module
from loopguard.analysis.summary import summarize

FIXTURES = sorted((Path(__file__).parent / "fixtures").rglob("*.py"))


@contextmanager
def garbage_kept() -> Iterator[list[object]]:
    """What becomes cyclic garbage inside the block (the collector paused, as in a worker)."""
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    found: list[object] = []
    try:
        yield found
    finally:
        gc.collect()
        found += gc.garbage
        gc.garbage.clear()
        gc.set_debug(0)
        if enabled:
            gc.enable()


def test_the_fixtures_are_many_and_varied() -> None:
    assert len(FIXTURES) > 50


def test_indexing_and_summarising_leave_no_cycles() -> None:
    with garbage_kept() as garbage:
        for path in FIXTURES:
            tree = ast.parse(path.read_bytes())
            index = index_module(tree, f"fixtures.{path.stem}", "fixtures")
            summarize(index, frozenset({"fixtures"}))
            del tree, index
    assert Counter(type(kept).__name__ for kept in garbage) == Counter()
