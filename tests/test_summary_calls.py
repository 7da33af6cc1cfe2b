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
