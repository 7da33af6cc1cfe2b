"""The global project remembers each class's method order and where it gets a member from
(class_memo.py): in whatever order they are asked, the answers and the modules each read are
those of a project that remembers nothing — also where a cycle of bases or ``MAX_CHAIN`` cuts an
order short, which depends on the classes being followed when a base's order is asked."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from pathlib import Path

import pytest

from loopguard.analysis.index import ModuleIndex
from loopguard.analysis.project import GlobalProject
from loopguard.analysis.resolve import MAX_CHAIN, Resolver
from loopguard.analysis.stages import Indexed, index_source
from loopguard.analysis.summary import FunctionSummary
from loopguard.runner import project_modules

DEPTH = MAX_CHAIN + 40  # a chain of bases longer than ``MAX_CHAIN``: its first classes have no order


def chain_module(first: int, last: int, base_module: str | None) -> str:
    """Classes ``C{first}`` .. ``C{last}``, each deriving from the next; the last from
    ``C{last + 1}`` in ``base_module`` (or from nothing)."""
    lines = [f"from app.{base_module} import C{last + 1}\n"] if base_module else []
    for number in range(first, last + 1):
        base = f"C{number + 1}" if number < last or base_module else ""
        lines.append(f"class C{number}({base}):\n    def m{number}(self):\n        pass\n")
    return "\n".join(lines)


FILES = {
    "app/__init__.py": "",
    "app/top.py": chain_module(0, 69, "bottom"),
    "app/bottom.py": chain_module(70, DEPTH, None),
    "app/cycle.py": (
        "from app.bottom import C120\n\n\nclass A(B, C120):\n    pass\n\n\nclass B(A):\n    pass\n\n\n"
        "class Outside(A):\n    pass\n\n\nclass Fine(C120):\n    def own(self):\n        pass\n"
    ),
}


def indexed_of(files: dict[str, str]) -> list[Indexed]:
    indexed = []
    for path, text in files.items():
        module = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
        indexed.append(index_source(text.encode(), Path(path), path, path, module, package, ["app"]))
    return indexed


def modules(files: dict[str, str]) -> Mapping[str, ModuleIndex]:
    return project_modules(indexed_of(files))


class Forgetting(GlobalProject):
    """A global project whose resolvers remember nothing: the reference."""

    def new_resolver(self, index: ModuleIndex) -> Resolver:
        return Resolver(index, self)


def asked(project: GlobalProject, question: str, *arguments: str) -> tuple[object, frozenset[str]]:
    """An answer of ``project``, and the modules it read."""
    outer = project.recording()
    if question == "order":
        found: object = project.method_order(*arguments)
    else:
        found = shown(project.resolver("app.top").member(*arguments))
    return found, project.recorded(outer)


ASKED = ["app.top.C0", "app.top.C60", "app.bottom.C80", "app.bottom.C120", "app.cycle.A", "app.cycle.Outside",
         "app.cycle.Fine", "app.bottom.C139"]


@pytest.mark.parametrize("order", [ASKED, ASKED[::-1], [ASKED[3], ASKED[1], ASKED[0], *ASKED[4:]]])
def test_orders_are_those_of_a_project_that_remembers_nothing_whatever_is_asked_first(order: list[str]) -> None:
    project = GlobalProject(modules(FILES))
    for qualname in [*order, *order]:  # asked twice: the second time from the memo
        assert asked(project, "order", qualname) == asked(Forgetting(modules(FILES)), "order", qualname), qualname
    assert project.method_order("app.top.C0") is None  # past MAX_CHAIN
    assert project.method_order("app.top.C60") == tuple(f"app.{where(n)}.C{n}" for n in range(61, DEPTH + 1))
    assert project.method_order("app.cycle.A") is None and project.method_order("app.cycle.Outside") is None


def where(number: int) -> str:
    return "top" if number < 70 else "bottom"


MEMBERS = [("app.top.C60", "m130"), ("app.top.C0", "m5"), ("app.top.C0", "m130"), ("app.cycle.Fine", "m125"),
           ("app.cycle.Fine", "own"), ("app.cycle.Outside", "m1"), ("app.bottom.C70", "nothing")]


@pytest.mark.parametrize("order", itertools.islice(itertools.permutations(MEMBERS), 0, None, 1500))
def test_members_are_those_of_a_project_that_remembers_nothing(order: tuple[tuple[str, str], ...]) -> None:
    project = GlobalProject(modules(FILES))
    for qualname, name in [*order, *order]:
        expected = asked(Forgetting(modules(FILES)), "member", qualname, name)
        assert asked(project, "member", qualname, name) == expected, (qualname, name)
    assert shown(project.resolver("app.top").member("app.top.C60", "m130")) == ("method", "app.bottom.C130")
    assert project.resolver("app.top").member("app.top.C0", "m130") is None  # no order past MAX_CHAIN


def shown(member: object) -> object:
    """A member without the resolver an attribute comes with (each project has its own)."""
    return member[:1] + member[2:] if isinstance(member, tuple) and member[:1] == ("attribute",) else member


ACCESSES = {
    "app/__init__.py": "",
    "app/store.py": (
        "class Store:\n    @property\n    def size(self):\n        return 1\n\n    @size.setter\n"
        "    def size(self, value):\n        pass\n\n    def plain(self):\n        return 2\n"
    ),
    "app/make.py": "from app.store import Store\n\nSTORE = Store()\n",
    "app/use.py": (
        "from app.make import STORE\n\n\ndef use():\n    STORE.size\n    STORE.size = 3\n    STORE.plain\n"
        "    STORE.missing\n"
    ),
}


def test_an_access_is_finished_only_when_a_project_class_has_a_property_of_its_name() -> None:
    indexed = indexed_of(ACCESSES)
    files = project_modules(indexed)
    tracked, untracked = GlobalProject(files), GlobalProject(files, track_reads=False)
    ahead = GlobalProject(files, track_reads=False)
    ahead.before_sharing()  # the names worked out before planning is shared: the same answers
    for project in (untracked, ahead):
        assert not project.may_be_a_property("plain") and not project.may_be_a_property("missing")
        assert project.may_be_a_property("size")
    tracked.before_sharing()
    assert tracked.may_be_a_property("missing")  # a class may gain the property: it is finished
    [summary] = [i.summary for i in indexed if i.summary is not None and i.summary.module == "app.use"]
    [entry] = summary.functions.values()  # the accesses, deferred to app.make's STORE
    targets = [call[4] for call in FunctionSummary._make(entry).calls if not isinstance(call[4], str)]
    assert len(targets) == 4
    expected = ["app.store.Store.size:get", "app.store.Store.size:set", None, None]
    assert [untracked.target(t) for t in targets] == [tracked.target(t) for t in targets] == expected
