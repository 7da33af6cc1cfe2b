"""Methods are looked up in Python's MRO (C3) across modules, in a cold run, a warm one and a run
over one file (the single-module cases are tests/fixtures/types_method_order.py)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from loopguard import catalogue
from loopguard.analysis.index import index_module
from loopguard.analysis.project import LocalProject, Project
from loopguard.analysis.resolve import c3_merge

FILES = {
    "app/__init__.py": "",
    "app/fileio.py": (
        "import os\n\n\nclass FileMixin:\n    def read_file(self, path):\n        return os.path.isfile(path)\n\n"
        "    def save_file(self, path):\n        return os.path.islink(path)\n\n\n"
        "class AsyncFileMixin(FileMixin):\n    async def read_file(self, path):\n        return path\n"
    ),
    "app/sync_manager.py": "from app.fileio import FileMixin\n\n\nclass SyncManager(FileMixin):\n    pass\n",
    "app/manager.py": (
        "from app.fileio import AsyncFileMixin\nfrom app.sync_manager import SyncManager\n\n\n"
        "class Manager(SyncManager, AsyncFileMixin):\n    async def get(self, path):\n"
        "        return await self.read_file(path)\n\n    async def save(self, path):\n"
        "        return self.save_file(path)\n"
    ),
}


def checked(directory: Path, *arguments: str) -> list[tuple[str, int, str]]:
    run = subprocess.run(
        [sys.executable, "-m", "loopguard", "check", "--output-format", "json", "--exit-zero", *arguments],
        cwd=directory, capture_output=True, text=True, check=True,
    )
    return [(f["path"], f["line"], f["root"]) for f in json.loads(run.stdout)]


def test_a_later_base_s_override_across_modules_comes_first(tmp_path: Path) -> None:
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    expected = [("app/manager.py", 10, "app/fileio.py:9 os.path.islink")]
    assert checked(tmp_path, "--no-cache", "app") == expected
    assert checked(tmp_path, "app") == expected  # fills the cache
    assert checked(tmp_path, "app") == expected  # read from it
    manager = tmp_path / "app" / "manager.py"
    manager.write_text(manager.read_text() + "# edited\n")
    assert checked(tmp_path, "app/manager.py") == expected


SUPER_FILES = {
    "app/__init__.py": "",
    "app/stores.py": (
        "import os\n\n\nclass Store:\n    def load(self, path):\n        return os.path.isfile(path)\n\n\n"
        "class CachedStore(Store):\n    def load(self, path):\n        return path\n\n\n"
        "class LoggingStore(Store):\n    pass\n"
    ),
    "app/service.py": (
        "from app.stores import CachedStore, LoggingStore\n\n\n"
        "class Service(LoggingStore, CachedStore):\n    async def get(self, path):\n"
        "        return super().load(path)\n\n\n"
        "class Plain(LoggingStore):\n    async def get(self, path):\n        return super().load(path)\n"
    ),
}


def test_super_follows_the_writing_class_s_mro_across_modules(tmp_path: Path) -> None:
    for name, text in SUPER_FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    expected = [("app/service.py", 11, "app/stores.py:6 os.path.isfile")]  # Plain only
    assert checked(tmp_path, "--no-cache", "app") == expected
    assert checked(tmp_path, "app") == expected
    service = tmp_path / "app" / "service.py"
    service.write_text(service.read_text() + "# edited\n")
    assert checked(tmp_path, "app/service.py") == expected


@pytest.mark.parametrize(
    ("orders", "merged"),
    [
        # class Manager(SyncManager, AsyncFileMixin), both deriving from FileMixin
        ([["S", "A"], ["S", "F"], ["A", "F"]], ("S", "A", "F")),
        ([["A"], ["A", "B", "C"]], ("A", "B", "C")),
        # class X(A, B) with A(B): B before A is inconsistent
        ([["B", "A"], ["B"], ["A", "B"]], None),
        ([], ()),
    ],
)
def test_the_c3_merge(orders: list[list[str]], merged: tuple[str, ...] | None) -> None:
    assert c3_merge(orders) == merged


ORDERS = """\
import threading

Alias = Other
Other = Alias


class Base(threading.Thread):
    pass


class Left(Base):
    pass


class Right(Base):
    pass


class Diamond(Left, Right):
    pass


class First(Second):
    pass


class Second(First):
    pass


class Odd(Alias):
    pass


class Inconsistent(Base, Left):
    pass
"""


def test_a_workers_kept_orders_are_those_worked_out_afresh() -> None:
    """A worker's resolver keeps each class's order asked alone: asked again, in any order of
    asking, it answers what a resolver that keeps nothing works out (cycles and all)."""
    index = index_module(ast.parse(ORDERS), "app.orders", "app")
    classes = list(index.classes)
    for asking in (classes, classes[::-1], classes + classes):
        memoised = LocalProject(index, {"app"}).resolver("app.orders")
        for qualname in asking:
            fresh = Project({"app.orders": index}, catalogue.RETURNS, catalogue.ALIASES).resolver("app.orders")
            assert memoised.method_order(qualname, set()) == fresh.method_order(qualname, set()), qualname
    memoised = LocalProject(index, {"app"}).resolver("app.orders")
    assert memoised.method_order("app.orders.Diamond", set()) == (
        "app.orders.Left", "app.orders.Right", "app.orders.Base", "threading.Thread",
    )
    assert memoised.method_order("app.orders.First", set()) is None  # a cycle
    assert memoised.method_order("app.orders.Inconsistent", set()) is None  # no C3 order


MEMBERS = ORDERS.replace(
    "class Left(Base):\n    pass\n",
    "class Left(Base):\n    hass = None\n\n    def start(self):\n        self.hass = 1\n",
)


def plain(member: object) -> object:
    """A member's answer without the resolver an attribute's holds (each project makes its own)."""
    return ("attribute", member[2]) if isinstance(member, tuple) and member[0] == "attribute" else member


def test_a_workers_kept_members_are_those_worked_out_afresh() -> None:
    """A worker's resolver keeps where a class gets a name from, asked alone: asked again, in
    any order of asking, it answers what a resolver that keeps nothing works out — an attribute,
    a method, a library base's, none, through a cycle and an inconsistent order."""
    index = index_module(ast.parse(MEMBERS), "app.orders", "app")
    questions = [(qualname, name) for qualname in index.classes for name in ("hass", "start", "run", "other")]
    for asking in (questions, questions[::-1], questions + questions):
        project = LocalProject(index, {"app"})
        memoised = project.resolver("app.orders")
        for qualname, name in asking:
            fresh = Project({"app.orders": index}, catalogue.RETURNS, catalogue.ALIASES).resolver("app.orders")
            assert plain(memoised.member(qualname, name)) == plain(fresh.member(qualname, name)), (qualname, name)
        project.forget_resolvers()
        assert not memoised._members  # emptied: an attribute's answer holds its resolver
    memoised = LocalProject(index, {"app"}).resolver("app.orders")
    assert memoised.member("app.orders.Diamond", "start") == ("method", "app.orders.Left")
    assert plain(memoised.member("app.orders.Diamond", "hass")) == (
        "attribute", [("value", ("none",), 2), ("value", ("other",), 3)],  # the class body's and ``self.hass = 1``
    )
    assert memoised.member("app.orders.Right", "run") == ("library", "threading.Thread")
    assert memoised.member("app.orders.First", "run") is None  # a cycle: no order
