"""Arguments matter: the rendered messages of calls that do not wait (catalogue ``non_waiting``)."""

from __future__ import annotations

from conftest import FIXTURES, findings_of

from loopguard.config import load_config


def test_sleep_zero_has_its_own_message_and_sleep_one_blocks() -> None:
    found = {f.line: f for f in findings_of(FIXTURES / "precision_arguments.py", cwd=FIXTURES)}
    assert found[30].message == "`time.sleep(0)` does not wait, but it does not yield to other tasks either"
    assert found[30].suggestion == "`await asyncio.sleep(...)`"
    assert found[32].message == "`time.sleep` blocks the event loop"


def test_the_witness_is_the_call_that_waits() -> None:
    found = {f.line: f for f in findings_of(FIXTURES / "precision_arguments.py", cwd=FIXTURES)}
    assert [hop.call for hop in found[52].chain] == ["stop_pool_then_nap()", "time.sleep"]
    assert 53 not in found  # stop_pool() only calls shutdown(wait=False)


def test_entering_a_lock_suggests_acquiring_it_in_a_thread(tmp_path) -> None:
    source = tmp_path / "locks.py"
    source.write_text("import threading\n\nlock = threading.Lock()\n\n\nasync def f():\n    with lock:\n        pass\n")
    [finding] = findings_of(source, cwd=tmp_path)
    assert finding.code == "LG102"
    assert finding.suggestion.endswith("`await asyncio.to_thread(threading.Lock.acquire, ...)`")


def test_a_queue_built_unbounded_is_named_as_its_type_and_configured_as_it(tmp_path) -> None:
    """``queue.Queue()`` is typed ``queue.Queue[unbounded]`` inside; findings and ``safe-calls``
    still say ``queue.Queue.get``."""
    source = tmp_path / "jobs.py"
    source.write_text("import queue\n\njobs = queue.Queue()\n\n\nasync def f():\n    jobs.put(1)\n    jobs.get()\n")
    [finding] = findings_of(source, cwd=tmp_path)
    assert (finding.line, finding.message) == (8, "`queue.Queue.get` blocks the event loop")
    settings = tmp_path / "pyproject.toml"
    settings.write_text('[tool.loopguard]\nsafe-calls = ["queue.Queue.get"]\n')
    assert findings_of(source, config=load_config(settings, tmp_path), cwd=tmp_path) == []


def test_built_as_reads_a_left_out_or_literal_maxsize_only() -> None:
    from loopguard.catalogue import BUILT_AS
    from loopguard.models import NOT_LITERAL, PASSED

    built = BUILT_AS["queue.Queue"]
    assert built.variant == "queue.Queue[unbounded]"
    assert built.holds(()) and built.holds(((0, 0),)) and built.holds((("maxsize", 0),))
    assert built.holds((("timeout", 3),))  # another keyword: maxsize is still left out
    assert not built.holds(((0, 10),)) and not built.holds((("maxsize", 1),))
    assert not built.holds(((0, (PASSED, "size")),)) and not built.holds((("#", 1),))
    assert not built.holds((("maxsize", NOT_LITERAL),)) and not built.holds((("*", NOT_LITERAL),))
    assert not built.holds(((0, None),))

def test_an_iteration_is_named_as_one_and_suggests_listing_in_a_thread(tmp_path) -> None:
    source = tmp_path / "listing.py"
    source.write_text(
        "import sqlite3\nfrom pathlib import Path\n\n\n"
        "async def f(root: Path, cursor: sqlite3.Cursor):\n"
        "    for child in root.iterdir():\n        print(child)\n"
        "    for row in cursor:\n        print(row)\n"
    )
    listing, rows = findings_of(source, cwd=tmp_path)
    assert listing.message == (
        "iterating a `Path.iterdir()`/`glob()`/`rglob()`/`walk()` result blocks the event loop"
    )
    assert listing.suggestion.startswith("`await asyncio.to_thread(list, ...)`")
    assert rows.message == "iterating a `sqlite3.Cursor` blocks the event loop"
    assert rows.root.endswith("sqlite3.Cursor.__iter__")  # the root names the API itself
