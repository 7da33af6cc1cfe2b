"""``summary.calls_by_where_they_run``: one pass sorts a module's calls into those on the loop, those
of a sync function's own body and those made at import (three disjoint sets)."""

from __future__ import annotations

import ast

from loopguard.analysis.index import index_module
from loopguard.analysis.project import LocalProject
from loopguard.analysis.summary import calls_by_where_they_run, imported_names, summarize

SOURCE = """\
import os
import app.helpers
from app import db
from app.io import pause

setup = app.helpers.configure()


class Settings:
    defaults = db.load_defaults()
    make = lambda: pause()

    def method(self):
        pause()


def helper():
    os.remove("x")
    [db.query(q) for q in "ab"]


async def handler():
    pause()
    [db.query(q) for q in "ab"]
"""


def test_each_call_is_sorted_where_it_runs() -> None:
    index = index_module(ast.parse(SOURCE), "app.api", "app")
    resolver = LocalProject(index, {"app"}).resolver("app.api")
    calls = calls_by_where_they_run(index, resolver, lambda target: target is not None, {"app"})
    assert [(line, target) for line, _col, _end, _end_col, target, *_ in calls.on_loop] == [
        (23, ("defer", ("plainkey", ("g", "app.io.pause")))),
        (24, ("defer", ("plainkey", ("attr", ("g", "app.db"), "query", True)))),
    ]
    functions = {index.scopes[scope].qualname: [call[0] for call in found] for scope, found in calls.in_functions.items()}
    assert functions == {"app.api.Settings.method": [14], "app.api.helper": [18, 19]}
    # the class body runs at import, the lambda and the defs later; ``os.remove`` is not the project's
    helpers = ("attr", ("g", "app"), "helpers", False)  # ``import app.helpers`` binds ``app``
    assert calls.at_import == (
        ("defer", ("plainkey", ("attr", helpers, "configure", True))),
        ("defer", ("getkey", helpers)),  # reading ``app.helpers`` (a property if it were one)
        ("defer", ("plainkey", ("attr", ("g", "app.db"), "load_defaults", True))),
    )


def test_only_the_projects_imports_are_kept_with_their_prefixes() -> None:
    index = index_module(ast.parse(SOURCE), "app.api", "app")
    # (``import app.helpers`` binds ``app`` and loads ``app.helpers``: a run over one file reads
    # both; ``os`` is not the project's)
    assert imported_names(index, {"app"}) == {"app", "app.helpers", "app.db", "app.io", "app.io.pause"}
    assert summarize(index, {"app"}).imports == frozenset(imported_names(index, {"app"}))


ARGUMENTS = """\
import time

time.sleep(1)


class Settings:
    time.sleep(2)
    later = lambda: time.sleep(3)

    def method(self):
        time.sleep(4)

        class Inner:
            time.sleep(5)


async def main():
    time.sleep(6)

    class Local:
        time.sleep(7)
"""


def test_only_the_arguments_that_can_be_read_are_recorded() -> None:
    """A call made at import (a module's or a class's body outside any def) is summarised as its
    target alone: the index does not read its arguments. In a def or a lambda (a method's calls
    are read for its receiver passed on, a class body's in a def too) or on the loop it does."""
    index = index_module(ast.parse(ARGUMENTS), "app.settings", "app")
    given = {call.line: call.literals for call in index.calls if call.func[0] == "attr"}
    assert given[3] == () and given[7] == ()
    assert given[8] == ((0, 3),) and given[11] == ((0, 4),) and given[14] == ((0, 5),)
    assert given[18] == ((0, 6),) and given[21] == ((0, 7),)
    summary = summarize(index, ("app",))
    assert summary.import_calls == ()  # (not the project's: no target kept at import)
    assert [call[0] for call in summary.calls] == [18]
    assert [call[8] for call in summary.calls] == [((0, 6),)]
    assert [call[5] for call in summary.functions["app.settings.Settings.method"][4]] == [((0, 4),)]
