"""Planning's memos answer a hit before any call (``GlobalProject.answered``'s callers look the
key up themselves): an answer that read no module is taken at once, one that read some goes
through ``answered``, which records them again. So a file's plan, and the modules it records,
are those of a project that has planned nothing before it, whatever was planned first."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from test_class_memo import indexed_of

from loopguard.analysis.match import Match, Matcher
from loopguard.analysis.project import GlobalProject
from loopguard.analysis.stages import (
    Indexed,
    Settings,
    make_settings,
    plan_confirmation,
)
from loopguard.analysis.transitive import Body, CallGraph
from loopguard.catalogue import RULES
from loopguard.config import Config
from loopguard.runner import build_project

FILES = {
    "app/__init__.py": "",
    "app/io.py": (
        "import time\n\n\ndef pause(seconds, mode='wait'):\n    if mode == 'wait':\n        time.sleep(seconds)\n"
    ),
    "app/store.py": (
        "from app.io import pause\n\n\nclass Store:\n    def get(self):\n        pause(1)\n\n"
        "    def peek(self):\n        pause(1, mode='skip')\n"
    ),
    "app/make.py": "from app.store import Store\n\nSTORE = Store()\n",
    "app/one.py": (
        "from app.make import STORE\nfrom app.io import pause\n\n\nasync def first():\n    STORE.get()\n"
        "    STORE.peek()\n    pause(2)\n"
    ),
    "app/base.py": "from app.io import pause\n\n\nclass Base:\n    def work(self):\n        pause(1)\n",
    "app/sub.py": "from app.base import Base\n\n\nclass Sub(Base):\n    pass\n",
    "app/consts.py": "SKIP = 'skip'\n",
    "app/three.py": (
        "from app.io import pause\nfrom app.consts import SKIP\n\n\ndef local():\n    pause(1)\n\n\n"
        "async def third():\n    local()\n    pause(4, mode=SKIP)\n"
    ),
    "app/two.py": (
        "from app.make import STORE\nfrom app.io import pause\n\n\nasync def second():\n    STORE.get()\n"
        "    pause(2)\n    pause(3, mode='skip')\n"
    ),
}
CHECKED = ["app/one.py", "app/two.py", "app/three.py", "app/store.py"]


def planner(indexed: list[Indexed], track_reads: bool) -> tuple[GlobalProject, CallGraph, Settings]:
    settings = make_settings(Config())
    project = build_project(indexed, track_reads)
    summaries = {i.summary.module: (i.display, i.summary) for i in indexed if i.summary is not None}
    return project, CallGraph(summaries, project, settings.matcher, settings.config.max_depth), settings


def planned(indexed: list[Indexed], paths: list[str], track_reads: bool = True) -> list[tuple[str, str, frozenset[str]]]:
    """Each file's plan and the modules it recorded, planned in ``paths``' order by one project."""
    project, graph, settings = planner(indexed, track_reads)
    by_path = {item.display: item for item in indexed}
    found = []
    for path in paths:
        outer = project.recording()
        plan = plan_confirmation(by_path[path], project, graph, settings)
        found.append((path, repr(plan), project.recorded(outer)))
    return found


def test_the_files_read_other_modules_through_every_memo_with_a_fast_path() -> None:
    indexed = indexed_of(FILES)
    [(_path, plan, reads)] = planned(indexed, ["app/one.py"])
    assert "STORE.get" in plan or "Store.get" in plan  # a deferred target, a helper's chain
    assert {"app.io", "app.store", "app.make"} <= reads


@pytest.mark.parametrize("order", list(itertools.permutations(CHECKED)))
def test_each_plan_records_what_a_project_that_planned_nothing_before_records(order: tuple[str, ...]) -> None:
    indexed = indexed_of(FILES)
    alone = {path: planned(indexed, [path])[0] for path in CHECKED}
    twice = planned(indexed, [*order, *order])  # the second time every answer is a hit
    assert twice == [alone[path] for path in [*order, *order]]


def test_without_tracking_the_plans_are_the_same_and_record_nothing() -> None:
    indexed = indexed_of(FILES)
    tracked = planned(indexed, [*CHECKED, *CHECKED])
    untracked = planned(indexed, [*CHECKED, *CHECKED], track_reads=False)
    assert [(path, plan) for path, plan, _reads in untracked] == [(path, plan) for path, plan, _reads in tracked]
    assert all(reads == frozenset() for _path, _plan, reads in untracked)


def test_a_verdict_records_what_it_read_at_every_use() -> None:
    indexed = indexed_of(FILES)
    # ``local`` is the module's own (its target reads nothing): only the verdict reads app.io
    first, again = planned(indexed, ["app/three.py", "app/three.py"])
    assert first == again and {"app.three", "app.io"} <= first[2]


def twice(project: GlobalProject, ask: Callable[[], object]) -> list[tuple[object, frozenset[str]]]:
    """``ask()``'s answer and the modules it recorded, asked twice (the second from the memo)."""
    found = []
    for _time in range(2):
        outer = project.recording()
        answer = ask()
        found.append((answer, project.recorded(outer)))
    return found


def test_callees_and_nodes_record_what_they_read_at_every_use() -> None:
    indexed = indexed_of(FILES)
    project, graph, _settings = planner(indexed, True)
    # the method Sub gets from Base: the subclass's module and the base's
    callees = twice(project, lambda: graph.callees_for("app.sub.Sub.work"))
    assert callees[0] == callees[1] == (((("app.base.Base.work", True),)), frozenset({"app.sub", "app.base"}))
    # a constant of another module decides pause's guard: the node reads app.consts
    [summary] = [i.summary for i in indexed if i.summary is not None and i.summary.module == "app.three"]
    [literals] = [call[8] for call in summary.calls if call[0] == 11]  # pause(4, mode=SKIP)
    nodes = twice(project, lambda: graph.specialise("app.io.pause", literals))
    assert nodes[0] == nodes[1] and nodes[0][0] == "app.io.pause(mode='skip', seconds=4)"
    assert "app.consts" in nodes[0][1]


def test_a_method_found_in_a_base_records_what_it_read_at_every_use() -> None:
    project, graph, _settings = planner(indexed_of(FILES), True)
    found = twice(project, lambda: graph.function_for("app.sub.Sub.work"))
    assert found[0] == found[1] == ("app.base.Base.work", frozenset({"app.sub", "app.base"}))
    missing = twice(project, lambda: graph.function_for("app.sub.Sub.nothing"))  # looked for in the base too
    assert missing[0] == missing[1] == (None, frozenset({"app.sub", "app.base"}))


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("app.sub.Sub.work", "app.base.Base.work"),  # a method of the base
        ("app.sub.Sub.nothing", None),  # a name no project function has
        ("app.sub.Sub.get", None),  # a method of another class only
        ("app.store.Store.get", "app.store.Store.get"),
        ("app.sub.Sub.__init__", None),
    ],
)
def test_a_method_is_found_alike_whether_reads_are_recorded_or_not(key: str, expected: str | None) -> None:
    # without recording, a name no project function has is answered without looking at the class
    for track_reads in (True, False):
        _project, graph, _settings = planner(indexed_of(FILES), track_reads)
        assert graph.function_for(key) == expected


LOOPY = {
    "app/__init__.py": "",
    "app/loopy.py": (
        "import asyncio\n\n\ndef running():\n    try:\n        asyncio.get_running_loop()\n"
        "    except RuntimeError:\n        return False\n    return True\n"
    ),
    "app/user.py": "import time\nfrom app.loopy import running\n\n\ndef work():\n    if not running():\n        time.sleep(1)\n",
}


def test_a_functions_helper_results_record_what_they_read_at_every_use() -> None:
    project, graph, _settings = planner(indexed_of(LOOPY), True)
    calls = graph.function("app.user.work")[1].calls
    found = twice(project, lambda: graph.loop_values.results_for("app.user.work", calls))
    assert found[0] == found[1] and list(found[0][0].values()) == [True]
    assert "app.loopy" in found[0][1]


def test_a_named_memo_is_the_same_until_the_project_is_renewed() -> None:
    indexed = indexed_of(FILES)
    project = build_project(indexed, True)
    memo = project.memo("answers")
    assert project.memo("answers") is memo and project.memo("others") is not memo
    memo["key"] = ("answer", frozenset({"app.io"}))
    project.renew("app.io", project.modules)
    assert project.memo("answers") == {}


def test_a_name_splits_at_its_longest_module_prefix() -> None:
    project = build_project(indexed_of(FILES), False)
    assert project.split("app.store.Store.get") == ("app.store", "Store.get")
    assert project.split("app.store") == ("app", "store")  # the package binds its submodule's name
    assert project.split("app.nothing.x") == ("app", "nothing.x")
    assert project.split("app") is None and project.split("other.app.x") is None and project.split("") is None
    assert project.split(".app.x") is None and project.split("app..x") == ("app", ".x")


TYPED = {
    "app/__init__.py": "",
    "app/typed.py": (
        "import time\n\n\ndef by_call(first, path):\n    if isinstance(path, str):\n        time.sleep(1)\n\n\n"
        "def by_rebinding(path, other):\n    if isinstance(other, bytes):\n        other = other.decode()\n"
        "    time.sleep(other)\n\n\ndef aliased(value):\n    local = value\n    if isinstance(local, int):\n"
        "        time.sleep(local)\n\n\ndef untested(path):\n    time.sleep(path)\n"
    ),
}


def test_the_parameters_whose_type_is_tested_come_from_the_walk_of_the_guards() -> None:
    """``type_tested`` reads the ``isinstance`` subjects ``guard_reads`` collects: in the guards of
    calls and in the conditions of rebindings, by name and by position, through a local alias."""
    _project, graph, _settings = planner(indexed_of(TYPED), False)
    assert graph.type_tested("app.typed.by_call") == frozenset({"path", 1})
    assert graph.type_tested("app.typed.by_rebinding") == frozenset({"other", 1})
    assert graph.type_tested("app.typed.aliased") == frozenset({"value", 0})
    assert graph.type_tested("app.typed.untested") == frozenset()
    assert graph.guard_reads("app.typed.by_call").typed == frozenset({"path"})


def test_a_safe_call_is_named_exactly_or_by_a_pattern() -> None:
    exact = Matcher(safe_calls=("time.sleep",))
    assert exact.is_safe("time.sleep") and not exact.is_safe("time.sleep2")
    assert exact.match("time.sleep") is None and exact.match("os.system") is not None
    patterns = Matcher(safe_calls=("requests.*", "os.sys?em"))
    assert patterns.is_safe("requests.get") and patterns.is_safe("os.system") and not patterns.is_safe("time.sleep")
    assert patterns.match("requests.get") is None and patterns.match("time.sleep") is not None
    assert not Matcher().is_safe("time.sleep")


def test_a_neighbourhood_holds_the_reads_of_every_body_within_its_radius() -> None:
    """``neighbourhood_reads``: the body's own reads and its callees' one hop less, none past a
    blocking body; a cycle, or a callee reached twice, is merged once."""
    _project, graph, _settings = planner(indexed_of(FILES), True)
    api = (1, 0, Match(RULES[0], "time.sleep"))
    graph.bodies = {
        "a": Body(None, ((1, 0, "b"), (2, 0, "c")), 1),
        "b": Body(None, ((1, 0, "c"),), 2),
        "c": Body(None, ((1, 0, "d"), (2, 0, "c")), 4),
        "d": Body(api, ((1, 0, "e"),), 8),
        "e": Body(None, (), 16),
    }
    assert [graph.neighbourhood_reads("a", radius) for radius in range(4)] == [1, 7, 15, 15]
    assert graph.neighbourhood_reads("c", 9) == 12 and graph.neighbourhood_reads("d", 3) == 8


LOCALS = {
    "app/__init__.py": "",
    "app/io.py": (
        "import time\n\n\ndef pause(mode):\n    kind = mode\n    limit = 'wait'\n    if kind == limit:\n"
        "        time.sleep(1)\n"
    ),
    "app/use.py": (
        "from app.io import pause\n\n\nasync def skips():\n    pause('skip')\n\n\n"
        "async def waits():\n    pause('wait')\n"
    ),
}


def test_every_node_of_a_function_reads_its_locals_and_the_parameters_they_start_as() -> None:
    # ``kind`` starts as the parameter, ``limit`` is a literal local: the call giving 'skip' rules the
    # sleep out, the one giving 'wait' does not — for each node of ``pause`` (its locals kept once)
    for track_reads in (True, False):
        plans = [plan for _path, plan, _reads in planned(indexed_of(LOCALS), ["app/use.py"] * 2, track_reads)]
        assert plans[0] == plans[1]
        assert "time.sleep" in plans[0] and "line=9" in plans[0] and "line=5" not in plans[0]
