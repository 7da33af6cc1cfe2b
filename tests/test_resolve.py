"""Unit tests of the resolver's receiver typing: what each call in a coroutine resolves to.

``targets(source)`` indexes one module and returns, per line, the qualified names its on-loop calls
are matched against (``None`` for unknown). The end-to-end tests at the bottom run the whole
pipeline across modules and with opt-in rules selected.
"""

from __future__ import annotations

import ast
import re
import textwrap

import pytest
from conftest import FIXTURES, expected_markers, findings_of

from loopguard import catalogue
from loopguard.analysis.index import index_module
from loopguard.analysis.project import Project
from loopguard.config import Config


def targets(source: str, module: str = "app", others: dict[str, str] | None = None) -> dict[int, list[object]]:
    """Line -> the call targets of the calls on that line that run on the loop."""
    modules = {module: index_module(ast.parse(textwrap.dedent(source)), module, "")}
    for name, text in (others or {}).items():
        modules[name] = index_module(ast.parse(textwrap.dedent(text)), name, name.rpartition(".")[0])
    project = Project(modules, catalogue.RETURNS, catalogue.ALIASES)
    resolver = project.resolver(module)
    found: dict[int, list[object]] = {}
    for call in modules[module].calls:
        if call.on_loop and call.func[0] not in ("get", "set", "del"):  # calls, not attribute accesses
            found.setdefault(call.line, []).append(resolver.call_target(call.func, call.scope))
    return found


def test_typed_attribute_reads_follow_resource_chains() -> None:
    found = targets(
        """
        from openai import AsyncOpenAI, OpenAI

        async def ask(client: OpenAI, unknown, other: AsyncOpenAI):
            client.chat.completions.create(model="m", messages=[])
            client.chat.completions.with_raw_response.create(model="m")
            unknown.chat.completions.create(model="m")
            await other.chat.completions.create(model="m")
        """
    )
    assert found[5] == ["openai.resources.SyncAPIResource.create"]
    assert found[6] == ["openai.resources.SyncAPIResource.create"]
    assert found[7] == [None]
    assert found[8] == [None]  # an attribute read off the async client has no type: silent


def test_any_attribute_entry_types_reads_but_never_called_attributes() -> None:
    found = targets(
        """
        from pymongo import MongoClient

        client = MongoClient()

        async def handler():
            client.app.users.find_one({})
            client["app"]["users"].insert_one({})
            client.list_database_names()
            client.get_database("app").events.count_documents({})
        """
    )
    assert found[7] == ["pymongo.collection.Collection.find_one"]
    assert found[8] == ["pymongo.collection.Collection.insert_one"]
    assert found[9] == ["pymongo.MongoClient.list_database_names"]
    assert found[10] == ["pymongo.collection.Collection.count_documents", "pymongo.MongoClient.get_database"]


def test_project_subclass_answers_as_its_library_base_unless_it_overrides() -> None:
    found = targets(
        """
        import requests
        from django.db import models

        class Api(requests.Session):
            def get(self, url):
                return url

        class Order(models.Model):
            pass

        async def handler(api: Api):
            api.post("https://example.com")
            api.get("https://example.com")
            Order.objects.filter(paid=True).first()
            Order(id=1).save()
        """
    )
    assert found[13] == ["requests.Session.post"]
    assert found[14] == ["app.Api.get"]
    assert found[15][0] == "django.db.models.QuerySet.first"
    assert found[16][0] == "django.db.models.Model.save"


def test_return_annotations_of_project_functions_and_methods_type_their_calls() -> None:
    found = targets(
        """
        import sqlite3

        def get_conn() -> sqlite3.Connection:
            return sqlite3.connect("app.db")

        async def get_async_conn() -> "sqlite3.Connection":
            return sqlite3.connect("app.db")

        def untyped():
            return sqlite3.connect("app.db")

        class Repo:
            def cursor(self) -> sqlite3.Cursor:
                return get_conn().cursor()

        async def handler(repo: Repo):
            get_conn().commit()
            (await get_async_conn()).rollback()
            untyped().commit()
            repo.cursor().fetchall()
        """
    )
    assert found[18][0] == "sqlite3.Connection.commit"
    assert found[19][0] == "sqlite3.Connection.rollback"
    assert found[20][0] is None
    assert found[21][0] == "sqlite3.Cursor.fetchall"


def test_return_annotations_are_followed_into_other_modules() -> None:
    found = targets(
        """
        from app.db import get_conn, Store

        async def handler(store: Store):
            get_conn().commit()
            store.connection().execute("SELECT 1")
        """,
        module="app.api",
        others={
            "app.db": """
            import sqlite3

            def get_conn() -> sqlite3.Connection:
                return sqlite3.connect("app.db")

            class Store:
                def connection(self) -> sqlite3.Connection:
                    return get_conn()
            """,
        },
    )
    assert found[5][0] == "sqlite3.Connection.commit"
    assert found[6][0] == "sqlite3.Connection.execute"


def test_self_attributes_from_annotated_constructor_parameters() -> None:
    found = targets(
        """
        import redis

        class Database:
            def query(self, sql):
                return sql

        class Service:
            def __init__(self, db: Database, cache: redis.Redis, other):
                self.db = db
                self.cache = cache
                self.other = other

            async def handle(self):
                self.db.query("SELECT 1")
                self.cache.get("k")
                self.other.get("k")
        """
    )
    assert found[15] == ["app.Database.query"]
    assert found[16] == ["redis.Redis.get"]
    assert found[17] == [None]


def test_path_division_and_attribute_types() -> None:
    found = targets(
        """
        from pathlib import Path

        ROOT = Path(__file__).parent

        async def handler(name):
            (ROOT / "data" / name).read_text()
            ROOT.parent.joinpath(name).exists()
            (name / "x").read_text()
        """
    )
    assert found[7] == ["pathlib.Path.read_text"]
    assert found[8] == ["pathlib.Path.exists", "pathlib.Path.joinpath"]
    assert found[9] == [None]


def test_iterating_consumes_only_typed_values_and_only_in_sync_loops() -> None:
    found = targets(
        """
        from django.db import models

        class Item(models.Model):
            pass

        async def handler(unknown):
            rows = list(Item.objects.all())
            for item in Item.objects.filter(on=True):
                pass
            async for item in Item.objects.all():
                pass
            list(unknown)
            len(Item.objects.all())
        """
    )
    assert "django.db.models.QuerySet.__iter__" in found[8]
    assert "django.db.models.QuerySet.__iter__" in found[9]
    assert "django.db.models.QuerySet.__iter__" not in found[11]
    assert found[13] == ["builtins.list"]
    assert "django.db.models.QuerySet.__len__" in found[14]


def test_file_readers_read_only_file_objects() -> None:
    found = targets(
        """
        import yaml
        from typing import TextIO

        async def handler(path, text: str, fh: TextIO, unknown):
            with open(path) as fp:
                yaml.safe_load(fp)
            yaml.safe_load(text)
            yaml.safe_load(fh)
            yaml.safe_load(unknown)
            yaml.safe_load(stream=fh)
        """
    )
    assert found[7] == ["yaml.safe_load"]
    assert found[8] == [None]
    assert found[9] == ["yaml.safe_load"]
    assert found[10] == [None]
    assert found[11] == [None]


def test_concurrent_futures_are_told_from_asyncio_futures() -> None:
    found = targets(
        """
        import asyncio
        from concurrent.futures import ThreadPoolExecutor

        POOL = ThreadPoolExecutor()

        async def handler():
            POOL.submit(print).result()
            asyncio.get_running_loop().create_future().result()
            asyncio.Future().result()
        """
    )
    assert "concurrent.futures.Future.result" in found[8]
    assert not any(str(t).startswith("concurrent") for t in found[9] + found[10])


def test_annotations_and_cross_module_typing_end_to_end(project) -> None:
    root = project(
        {
            "app/__init__.py": "",
            "app/db.py": (
                "import sqlite3\n\n\n"
                "def get_conn() -> sqlite3.Connection:\n"
                "    return sqlite3.connect('app.db')\n\n\n"
                "class Store:\n"
                "    def __init__(self, conn: sqlite3.Connection):\n"
                "        self.conn = conn\n"
            ),
            "app/models.py": (
                "from django.db import models\n\n\n"
                "class Base(models.Model):\n"
                "    class Meta:\n"
                "        abstract = True\n"
            ),
            "app/api.py": (
                "from app.db import Store, get_conn\n"
                "from app.models import Base\n\n\n"
                "class Order(Base):\n"
                "    pass\n\n\n"
                "async def handler(store: Store):\n"
                "    get_conn().commit()\n"
                "    store.conn.execute('SELECT 1')\n"
                "    Order.objects.count()\n"
            ),
        }
    )
    found = findings_of(root / "app", cwd=root)
    # line 10 holds two blocking calls: get_conn() itself connects (a transitive finding) and
    # .commit() on the connection it returns
    assert [(f.path, f.line, f.code, bool(f.chain)) for f in found] == [
        ("app/api.py", 10, "LG403", True),
        ("app/api.py", 10, "LG403", False),
        ("app/api.py", 11, "LG403", False),
        ("app/api.py", 12, "LG410", False),
    ]


OPT_IN = re.compile(r"#\s*error:\s*opt-in\s+(?P<codes>LG\d+(?:\s*,\s*LG\d+)*)")


@pytest.mark.parametrize(
    ("name", "selection"),
    [("catalogue_cpu.py", ("LG", "LG9")), ("catalogue_tls_clients.py", ("LG", "LG219"))],
)
def test_opt_in_rules_report_only_when_selected(name: str, selection: tuple[str, ...]) -> None:
    fixture = FIXTURES / name
    opt_in = []
    for number, line in enumerate(fixture.read_text(encoding="utf-8").splitlines(), start=1):
        match = OPT_IN.search(line)
        if match:
            opt_in += [(number, code.strip()) for code in match.group("codes").split(",")]
    assert opt_in
    selected = Config(root=FIXTURES.resolve(), select=selection)
    found = [(f.line, f.code) for f in findings_of(fixture, config=selected, cwd=FIXTURES)]
    assert sorted(found) == sorted(expected_markers(fixture) + opt_in)
    by_default = [(f.line, f.code) for f in findings_of(fixture, cwd=FIXTURES)]
    assert sorted(by_default) == expected_markers(fixture)


def test_catalogue_tables_are_consistent() -> None:
    patterns = [p for rule in catalogue.RULES for p in (*rule.functions, *rule.methods)]
    assert len(patterns) == len(set(patterns)), "a pattern is in two rules"
    assert not [p for p in patterns if p in catalogue.ALIASES], "patterns must use the canonical name"
    assert not [k for k in catalogue.RETURNS if k in catalogue.ALIASES]
    assert not [k for k, v in catalogue.ALIASES.items() if k == v or v in catalogue.ALIASES]
    codes = [rule.code for rule in catalogue.RULES]
    assert len(set(codes)) == len(codes)
    assert all(not rule.default_enabled for rule in catalogue.RULES if rule.code.startswith("LG9"))
    assert all(set(rule.instead) <= {"asyncio", "anyio", "trio"} for rule in catalogue.RULES)



def test_attribute_accesses_target_the_accessors_of_project_properties_only() -> None:
    modules = {"app": index_module(ast.parse(textwrap.dedent(
        """
        class Certs:
            @property
            def pem(self) -> str:
                return ""

            @pem.setter
            def pem(self, value): ...

            def method(self): ...

            plain = 1

        async def handler(certs: Certs, unknown):
            certs.pem
            certs.pem = "x"
            del certs.pem
            certs.method
            certs.plain
            unknown.pem
            certs.pem.upper()
        """
    )), "app", "")}
    resolver = Project(modules, catalogue.RETURNS, catalogue.ALIASES).resolver("app")
    accesses = [
        (call.line, resolver.call_target(call.func, call.scope))
        for call in modules["app"].calls if call.on_loop and call.func[0] in ("get", "set", "del")
    ]
    assert accesses == [
        (15, "app.Certs.pem:get"), (16, "app.Certs.pem:set"), (17, "app.Certs.pem:del"), (18, None),
        (19, None), (20, None), (21, "app.Certs.pem:get"),
    ]
    calls = [resolver.call_target(c.func, c.scope) for c in modules["app"].calls if c.line == 21]
    assert "builtins.str.upper" in calls  # the getter's return annotation types the value


def test_a_name_bound_once_is_what_its_one_binding_says() -> None:
    """One binding merges to itself: a declared type, a value, ``None`` (ignored: nothing is left)
    and an unknown binding (a loop target) each as when merged with others that agree."""
    found = targets(
        """
        import requests

        async def main(items):
            typed: requests.Session
            built = requests.Session()
            nothing = None
            for looped in items:
                pass
            typed.get("u")
            built.get("u")
            nothing.get("u")
            looped.get("u")
            again = None
            again = requests.Session()
            again.get("u")
        """
    )
    assert found[10] == ["requests.Session.get"]
    assert found[11] == ["requests.Session.get"]
    assert found[12] == [None]
    assert found[13] == [None]
    assert found[16] == ["requests.Session.get"]  # ``= None`` beside a value: the value
