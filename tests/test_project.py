"""Names resolved across the project's modules: what a worker defers, the main process finishes."""

from __future__ import annotations

from conftest import findings_of


def found(project, files: dict[str, str], *, check: str = "app/api.py") -> list[tuple[int, str]]:
    root = project(files)
    return [(f.line, f.code) for f in findings_of(root / check, cwd=root)]


def test_module_level_instances_and_factories_in_another_module(project) -> None:
    assert found(project, {
        "app/__init__.py": "",
        "app/db.py": "from sqlalchemy.orm import sessionmaker\nimport requests\n"
        "SessionLocal = sessionmaker()\nhttp = requests.Session()\n",
        "app/api.py": "from app.db import SessionLocal, http\nfrom app import db\n\n"
        "async def handler():\n"
        "    with SessionLocal() as session:\n"
        "        session.commit()\n"
        "    http.get('u')\n"
        "    db.http.post('u')\n"
        "    db.SessionLocal().flush()\n",
    }) == [(6, "LG401"), (7, "LG201"), (8, "LG201"), (9, "LG401")]


def test_re_exports_and_relative_imports(project) -> None:
    assert found(project, {
        "app/__init__.py": "from .clients import http as client\n",
        "app/clients.py": "import requests\nhttp = requests.Session()\n",
        "app/api.py": "from . import client\nfrom .clients import http\n\n"
        "async def handler():\n    client.get('u')\n    http.get('u')\n",
    }) == [(5, "LG201"), (6, "LG201")]


def test_classes_from_other_modules(project) -> None:
    assert found(project, {
        "app/__init__.py": "",
        "app/base.py": "import requests\n\nclass Base:\n    def __init__(self):\n"
        "        self.http = requests.Session()\n\nclass Api(requests.Session):\n    pass\n",
        "app/api.py": "from app.base import Base, Api\n\n"
        "class Service(Base):\n"
        "    async def run(self):\n"
        "        self.http.get('u')\n\n"
        "async def handler(api: Api):\n"
        "    api.get('u')\n"
        "    Api().post('u')\n",
    }) == [(5, "LG201"), (8, "LG201"), (9, "LG201")]


def test_return_annotations_of_project_functions_in_other_modules(project) -> None:
    assert found(project, {
        "app/__init__.py": "",
        "app/conn.py": "import sqlite3\n\ndef connect() -> sqlite3.Connection:\n    ...\n\n"
        "class Repo:\n    def cursor(self) -> 'sqlite3.Cursor':\n        ...\n",
        "app/api.py": "from app.conn import connect, Repo\n\n"
        "async def handler(repo: Repo):\n"
        "    connect().execute('select 1')\n"
        "    repo.cursor().fetchall()\n",
    }) == [(4, "LG403"), (5, "LG403")]


def test_same_named_classes_in_different_modules_are_not_confused(project) -> None:
    assert found(project, {
        "app/__init__.py": "",
        "app/one.py": "import requests\n\nclass Client:\n    def __init__(self):\n        self.http = requests.Session()\n",
        "app/two.py": "import httpx\n\nclass Client:\n    def __init__(self):\n        self.http = httpx.AsyncClient()\n",
        "app/api.py": "from app import one, two\n\n"
        "async def handler(a: one.Client, b: two.Client):\n"
        "    a.http.get('u')\n"
        "    await b.http.get('u')\n",
    }) == [(4, "LG201")]


def test_cycles_between_modules_terminate(project) -> None:
    assert found(project, {
        "app/__init__.py": "",
        "app/a.py": "from app.b import Y as X\n",
        "app/b.py": "from app.a import X as Y\n",
        "app/api.py": "from app.a import X\n\nasync def handler():\n    X().get('u')\n",
    }) == []


def test_a_module_that_is_not_checked_is_read_for_context(project) -> None:
    root = project({
        "app/__init__.py": "",
        "app/db.py": "from sqlalchemy.orm import Session\n\ndef get() -> Session:\n    ...\n",
        "app/api.py": "from app.db import get\n\nasync def handler():\n    get().commit()\n",
    })
    assert [(f.path, f.line) for f in findings_of(root / "app" / "api.py", cwd=root)] == [("app/api.py", 4)]


def test_namespace_packages_in_a_src_layout(project) -> None:
    """No __init__.py anywhere (PEP 420): module names come from the path under src/."""
    root = project({
        "pyproject.toml": "[tool.loopguard]\n",
        "src/acme/billing/db.py": "from sqlalchemy.orm import sessionmaker\nSessionLocal = sessionmaker()\n",
        "src/acme/billing/api.py": "from acme.billing.db import SessionLocal\n\n"
        "async def handler():\n    SessionLocal().commit()\n",
        "src/acme/billing/helpers.py": "import time\n\ndef wait():\n    time.sleep(1)\n",
        "src/acme/billing/jobs.py": "from acme.billing import helpers\n\nasync def job():\n    helpers.wait()\n",
    })
    from loopguard.config import load_config

    found = findings_of(root / "src", config=load_config(None, root), cwd=root)
    assert [(f.path, f.line, f.code, bool(f.chain)) for f in found] == [
        ("src/acme/billing/api.py", 4, "LG401", False),
        ("src/acme/billing/jobs.py", 4, "LG101", True),
    ]


def test_a_package_inside_a_namespace_package(project) -> None:
    root = project({
        "pyproject.toml": "[tool.loopguard]\n",
        "ns/pkg/__init__.py": "",
        "ns/pkg/clients.py": "import requests\nhttp = requests.Session()\n",
        "ns/pkg/api.py": "from ns.pkg.clients import http\n\nasync def handler():\n    http.get('u')\n",
    })
    from loopguard.config import load_config

    found = findings_of(root / "ns", config=load_config(None, root), cwd=root)
    assert [(f.path, f.line, f.code) for f in found] == [("ns/pkg/api.py", 4, "LG201")]
