"""The typed values (``analysis/values.py``) as they cross stages: a worker's summary, deferred
values included, goes through the cache's MessagePack and schema and comes back answering every
question exactly as before; and a well-formed tree that is not a shape loopguard writes is unknown,
never an error."""

from __future__ import annotations

import ast
import textwrap
from typing import Any

import msgpack

from loopguard.analysis.index import index_module
from loopguard.analysis.project import GlobalProject
from loopguard.analysis.summary import FileSummary, decode, encode, summarize
from loopguard.analysis.values import Target, attribute_name, is_deferred, last_name
from loopguard.cache.schema import SUMMARY

MODULES = {
    "shop.db": """
        import sqlite3
        from pathlib import Path
        from sqlalchemy.orm import sessionmaker

        SessionLocal = sessionmaker()
        ROOT = Path("/srv")

        class Base:
            def save(self):
                pass

            @property
            def status(self):
                return "new"

        def connect() -> sqlite3.Connection:
            return sqlite3.connect("x")

        def handle():
            return open("x")
    """,
    "shop.app": """
        import yaml
        from shop import db
        from shop.db import Base, SessionLocal, connect

        class Order(Base):
            pass

        class Repo(db.Base):
            def get(self):
                return super().save()

        async def view(order: Order):
            session = SessionLocal()
            session.query()
            with SessionLocal() as entered:
                entered.execute()
            for row in connect().execute("select"):
                pass
            list(connect().execute("select"))
            yaml.safe_load(db.handle())
            (db.ROOT / "name").read_text()
            order.save()
            Repo().get()
            connect().commit()
            order.status
    """,
}


def summaries() -> dict[str, FileSummary]:
    found = {}
    for module, source in MODULES.items():
        index = index_module(ast.parse(textwrap.dedent(source)), module, "shop")
        found[module] = summarize(index, {"shop"})
    return found


def through_the_cache(summary: FileSummary) -> FileSummary:
    """What a warm run reads: the encoded summary, written and read as MessagePack, checked."""
    data = msgpack.unpackb(msgpack.packb(encode(summary), use_bin_type=True), use_list=False, raw=False)
    SUMMARY(data)
    return decode(data)


def comparable(summary: FileSummary) -> tuple[object, ...]:
    """The encoded summary, with the sets in it (methods, properties, imports) in sorted order."""
    fields = list(encode(summary))
    fields[3] = {
        name: (bases, attributes, sorted(methods), sorted(properties))
        for name, (bases, attributes, methods, properties) in fields[3].items()
    }
    fields[7] = sorted(fields[7])
    return tuple(fields)


def answers(modules: dict[str, FileSummary]) -> list[str | None]:
    project = GlobalProject({module: summary.names for module, summary in modules.items()})
    return [project.target(call[4]) for call in modules["shop.app"].calls]


def test_a_summary_read_back_from_the_cache_answers_as_the_workers_did() -> None:
    fresh = summaries()
    cached = {module: through_the_cache(summary) for module, summary in fresh.items()}
    assert comparable(cached["shop.app"]) == comparable(fresh["shop.app"])
    assert answers(cached) == answers(fresh)
    assert answers(fresh) == [
        "sqlalchemy.orm.sessionmaker.__call__",  # SessionLocal()
        "sqlalchemy.orm.Session.query",
        "sqlalchemy.orm.Session.__enter__",  # with SessionLocal() as entered
        "sqlalchemy.orm.sessionmaker.__call__",
        "sqlalchemy.orm.Session.execute",
        "sqlite3.Connection.execute",  # for row in connect().execute(...)
        "shop.db.connect",
        "sqlite3.Cursor.__iter__",
        "sqlite3.Cursor.__iter__",  # list(connect().execute(...))
        "sqlite3.Connection.execute",
        "shop.db.connect",
        None,  # yaml.safe_load(db.handle()): not known to be a file
        "shop.db.handle",
        "pathlib.Path.read_text",  # (db.ROOT / "name").read_text()
        "shop.db.Base.save",  # order.save(): Order's base lives in shop.db
        "shop.app.Repo.get",
        "shop.app.Repo",
        "sqlite3.Connection.commit",
        "shop.db.connect",
        "shop.db.Base.status:get",  # order.status: a property of a base in shop.db
    ]


def test_the_worker_defers_every_shape_that_needs_another_module() -> None:
    targets: list[Target] = [call[4] for call in summaries()["shop.app"].calls]
    kinds = set()
    for target in targets:
        match target:
            case ("defer", (kind, *_)):
                kinds.add(kind)
    assert kinds == {"plainkey", "enterkey", "iterkey", "argkey", "getkey"}


def test_a_tree_loopguard_never_writes_is_unknown_not_an_error() -> None:
    project = GlobalProject({})
    made_up: Any = ("defer", ("made-up", ("g", "x")))
    assert project.target(made_up) is None
    assert project.evaluate(made_up) is None


def test_names_read_off_expressions() -> None:
    assert last_name(("attr", ("name", "requests"), "get")) == "get"
    assert last_name(("name", "open")) == "open"
    assert last_name(("call", ("name", "f"))) is None
    assert attribute_name(("attr", ("name", "loop"), "call_later")) == "call_later"
    assert attribute_name(("name", "call_later")) is None
    assert is_deferred(("defer", ("g", "shop.db.SessionLocal")))
    assert not is_deferred(("ref", "shop.db.SessionLocal"))


def test_an_annotation_naming_a_class_is_the_name_up_to_the_depth_bound() -> None:
    """``annotation_of`` answers a plain name at once: what ``expr_of`` gives it one level down,
    the name below ``MAX_EXPR_DEPTH`` and unknown from it on (as for ``Optional[X]``'s ``X``)."""
    from loopguard.analysis.expressions import MAX_EXPR_DEPTH, OTHER, annotation_of, expr_of

    name = ast.parse("Session", mode="eval").body
    for depth in (0, MAX_EXPR_DEPTH - 1, MAX_EXPR_DEPTH, MAX_EXPR_DEPTH + 1):
        assert annotation_of(name, depth) == (expr_of(name, depth + 1) if depth <= MAX_EXPR_DEPTH else OTHER)
    assert annotation_of(name, MAX_EXPR_DEPTH - 1) == ("name", "Session")
    assert annotation_of(name, MAX_EXPR_DEPTH) == OTHER
    optional = ast.parse("Optional[Session]", mode="eval").body
    assert annotation_of(optional) == ("name", "Session")
    assert annotation_of(optional, MAX_EXPR_DEPTH - 1) == OTHER  # its ``Session`` one level deeper
