"""Planning shared with forked children (``runner.plan_files`` with ``processes`` > 1): the same
plans, failures and cache entries as planning alone, whichever process made them; and
``pool.ForkedPart``, which runs a share in a child forked from the planning process."""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path

import pytest

from loopguard import runner
from loopguard.analysis.stages import Indexed
from loopguard.cache import plans
from loopguard.cache.store import Cache
from loopguard.config import Config
from loopguard.models import FileResult
from loopguard.pool import GUIDED, MIN_FILES_PER_WORKER, Claims, ForkedPart, can_fork

pytestmark = pytest.mark.skipif(not can_fork(), reason="planning is shared only where a fork is cheap and safe")


def tagged(item: str) -> str | None:
    """What a share's work gives back: nothing for most items, as planning does."""
    if item == "die":
        os._exit(3)
    return f"{item}@{os.getpid()}" if item.startswith("plan") else None


def test_a_forked_part_sends_back_what_work_gives_and_what_ending_gives() -> None:
    items = ["skip", "plan1", "skip", "plan2", *["skip"] * (2 * GUIDED), "plan3"]
    part = ForkedPart(tagged, items, ending=lambda: "ended")
    found, ended = part.finish()
    assert [(index, result.partition("@")[0]) for index, result in found] == [
        (1, "plan1"), (3, "plan2"), (len(items) - 1, "plan3")
    ]
    assert {result.partition("@")[2] for _index, result in found} != {str(os.getpid())}
    assert ended == "ended" and part.claims.undone() == []


def test_a_forked_part_that_dies_leaves_exactly_what_it_did_not_do() -> None:
    items = ["plan0", *["skip"] * (GUIDED + 5), "die", "plan9"]
    part = ForkedPart(tagged, items, ending=lambda: "ended")
    found, ended = part.finish()
    assert [index for index, _result in found] == [0]
    assert part.claims.undone() == [len(items) - 2, len(items) - 1]  # each item done was marked
    assert ended is None


def test_ready_never_waits_for_the_child() -> None:
    part = ForkedPart(tagged, ["plan0", "plan1"])
    early = part.ready()  # the child may not have sent anything yet
    found, _ended = part.finish()
    assert sorted(index for index, _result in [*early, *found]) == [0, 1] and not part.claims.undone()


def test_a_process_takes_its_share_from_the_front_then_the_others_from_their_back() -> None:
    claims = Claims([3, 0, 5])
    assert list(claims.taking(0)) == [0, 1, 2, 7, 6, 5, 4, 3]
    assert list(claims.taking(2)) == []  # everything is claimed
    assert claims.undone() == list(range(8))  # nothing marked done
    claims.mark(4)
    assert claims.undone() == [0, 1, 2, 3, 5, 6, 7]


def test_large_shares_are_claimed_a_part_at_a_time() -> None:
    claims = Claims([10 * GUIDED, 10 * GUIDED])
    taken = claims.taking(1)
    assert next(taken) == 10 * GUIDED
    # the child took a tenth of its share: the rest of it is left for another process to help with
    helped = list(claims.taking(0))
    assert helped[: 10 * GUIDED] == list(range(10 * GUIDED)) and len(helped) == 20 * GUIDED - 10
    assert list(taken) == list(range(10 * GUIDED + 1, 10 * GUIDED + 10))


def test_a_forked_child_helps_with_a_share_this_process_does_not_take() -> None:
    items = [f"plan{n}" for n in range(3 * GUIDED)]
    claims = Claims([2 * GUIDED, GUIDED])
    part = ForkedPart(tagged, items, claims=claims, share=1)
    found, _ended = part.finish()  # this process claims nothing of its share: the child does it all
    assert sorted(index for index, _result in found) == list(range(len(items)))
    assert {result.partition("@")[2] for _index, result in found} == {str(part_pid(found))}
    assert claims.undone() == []


def part_pid(found: list[tuple[int, str]]) -> str:
    pid = found[0][1].partition("@")[2]
    assert pid != str(os.getpid())
    return pid


def indexed_with_calls(calls: list[int]) -> list[Indexed]:
    class Summary:
        def __init__(self, count: int) -> None:
            self.calls = (None,) * count

    return [Indexed(Path(f"m{n}.py"), f"m{n}.py", f"m{n}.py", Summary(count)) for n, count in enumerate(calls)]  # type: ignore[arg-type]


def test_shares_are_consecutive_and_hold_about_as_many_calls_each(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "SHARED_PLANNING_MIN_CALLS", 100)
    items = indexed_with_calls([50, 1, 1, 1, 30, 30, 1, 1])
    shares = runner.shares_to_plan(items, 2)
    assert [item for share in shares for item in share] == items
    assert [len(share) for share in shares] == [4, 4]
    assert runner.shares_to_plan(items, 1) == [items]
    monkeypatch.setattr(runner, "SHARED_PLANNING_MIN_CALLS", 1_000)
    assert runner.shares_to_plan(items, 2) == [items]  # too little to plan for a fork to pay


def helpers_project(root: Path, files: int) -> None:
    """A project whose coroutines block through a helper in another module, and one file whose
    planning fails."""
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "io.py").write_text("import time\n\n\ndef pause(seconds):\n    time.sleep(seconds)\n")
    for number in range(files):
        (root / "app" / f"m{number}.py").write_text(
            "from app.io import pause\n\n\nasync def handler():\n    pause(1)\n"
            + ("    pause(0)\n" if number % 3 == 0 else "")
        )


def failing_on_m7(original):  # type: ignore[no-untyped-def]
    def plan(indexed, *args):  # type: ignore[no-untyped-def]
        if indexed.display.endswith("m7.py"):
            raise ValueError("a bug in planning m7")
        return original(indexed, *args)

    return plan


def run_project(root: Path, monkeypatch: pytest.MonkeyPatch, shared: bool, cache: Path | None) -> list[FileResult]:
    monkeypatch.setattr(runner, "SHARED_PLANNING_MIN_CALLS", 0 if shared else 10**9)
    return runner.check_paths([root / "app"], Config(root=root), cwd=root, workers=2, cache_directory=cache)


def test_shared_planning_gives_what_planning_alone_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = 2 * MIN_FILES_PER_WORKER + 6
    helpers_project(tmp_path, files)
    monkeypatch.setattr(plans, "plan_confirmation", failing_on_m7(plans.plan_confirmation))
    forked: list[int] = []
    fork_planning = runner.fork_planning

    def counted(planner, indexed, claims, share, cache):  # type: ignore[no-untyped-def]
        forked.append(share)
        return fork_planning(planner, indexed, claims, share, cache)

    monkeypatch.setattr(runner, "fork_planning", counted)
    alone = run_project(tmp_path, monkeypatch, shared=False, cache=None)
    assert forked == []
    planners = tmp_path / "planners"
    planned, parent = runner.planned, os.getpid()

    def slow_here(planner, item):  # type: ignore[no-untyped-def]
        with planners.open("a") as out:
            out.write(f"{os.getpid()}\n")
        if os.getpid() == parent:
            time.sleep(0.01)  # the child helps with this process's share as soon as its own is done
        return planned(planner, item)

    monkeypatch.setattr(runner, "planned", slow_here)
    shared = run_project(tmp_path, monkeypatch, shared=True, cache=None)
    assert forked == [1]
    by_process = Counter(planners.read_text().split())
    # each file (and app/__init__.py, app/io.py) planned once, some in the child, which took part of
    # this process's share too
    assert sum(by_process.values()) == files + 2 and len(by_process) == 2
    assert by_process[str(parent)] < files // 2
    assert shared == alone
    assert sum(1 for result in shared if result.findings and not result.error) == files - 1
    failed = [result for result in shared if result.error]
    assert [result.path for result in failed] == ["app/m7.py"] and "a bug in planning m7" in str(failed[0])


def test_the_files_of_a_child_that_dies_are_planned_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = 2 * MIN_FILES_PER_WORKER + 6
    helpers_project(tmp_path, files)
    alone = run_project(tmp_path, monkeypatch, shared=False, cache=None)
    forked: list[int] = []
    fork_planning = runner.fork_planning

    def counted(planner, indexed, claims, share, cache):  # type: ignore[no-untyped-def]
        forked.append(share)
        return fork_planning(planner, indexed, claims, share, cache)

    planned, parent = runner.planned, os.getpid()

    def dying(planner, item):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            os._exit(3)  # the child dies on the first file it claimed, before marking it done
        return planned(planner, item)

    monkeypatch.setattr(runner, "fork_planning", counted)
    monkeypatch.setattr(runner, "planned", dying)
    shared = run_project(tmp_path, monkeypatch, shared=True, cache=None)
    assert forked == [1] and shared == alone
    assert sum(1 for result in shared if result.findings and not result.error) == files


def test_without_shared_memory_the_files_are_planned_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = 2 * MIN_FILES_PER_WORKER + 6
    helpers_project(tmp_path, files)
    alone = run_project(tmp_path, monkeypatch, shared=False, cache=None)

    def no_semaphores(sizes: list[int]) -> Claims:
        raise OSError(38, "Function not implemented")  # as ``sem_open`` fails without /dev/shm

    forked: list[int] = []
    monkeypatch.setattr(runner, "Claims", no_semaphores)
    monkeypatch.setattr(runner, "fork_planning", lambda *args: forked.append(1))
    assert run_project(tmp_path, monkeypatch, shared=True, cache=None) == alone and forked == []


def test_the_cache_keeps_the_entries_a_forked_child_read_and_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "PACK_MIN_FILES", 1)
    packs = []
    for shared in (False, True):
        root = tmp_path / str(shared)
        root.mkdir()
        helpers_project(root, 2 * MIN_FILES_PER_WORKER + 6)
        run_project(root, monkeypatch, shared, cache=root / ".cache")
        packs.append(set(Cache(root / ".cache").pack))
    assert packs[0] and packs[1] == packs[0]
