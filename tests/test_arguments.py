"""Arguments matter: the rendered messages of calls that do not wait (catalogue ``non_waiting``)."""

from __future__ import annotations

from conftest import FIXTURES, findings_of


def test_sleep_zero_has_its_own_message_and_sleep_one_blocks() -> None:
    found = {f.line: f for f in findings_of(FIXTURES / "precision_arguments.py", cwd=FIXTURES)}
    assert found[30].message == "`time.sleep(0)` does not wait, but it does not yield to other tasks either"
    assert found[30].suggestion == "await asyncio.sleep(...)"
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
    assert finding.suggestion.endswith("await asyncio.to_thread(threading.Lock.acquire, ...)")
