"""A call's argument that names a module constant is recorded as the constant's literal, unless
anything may rebind the name or a scope between the call and the module binds it."""

import ast
import textwrap

from conftest import FIXTURES, project_findings, project_markers

from loopguard.analysis.constants import IMPORTED, REEXPORT, reexported
from loopguard.analysis.index import index_module
from loopguard.analysis.summary import decode, encode, summarize
from loopguard.models import NOT_LITERAL, PASSED

APP = FIXTURES / "constants_app"


def arguments(source: str, callee: str = "get") -> list[object]:
    """The first argument recorded for each call of ``callee``, in source order."""
    index = index_module(ast.parse(textwrap.dedent(source)), "app.mod", "app")
    return [
        dict(call.literals).get(0)
        for call in index.calls
        if isinstance(call.func, tuple) and call.func[-1] == callee
    ]


def test_a_constant_bound_once_is_its_literal_in_functions_lambdas_and_comprehensions() -> None:
    source = """
        from typing import Final
        NAME: Final = "API_KEY"
        COUNT = 3
        FLAG: bool = False
        def f():
            get(NAME)
            get(COUNT)
            get(FLAG)
            (lambda: get(NAME))()
            [get(NAME) for _ in range(2)]
        get(NAME)
    """
    # (the call at module level runs at import: the summary keeps its target alone, and the
    # index records no argument of it)
    assert arguments(source) == ["API_KEY", 3, False, "API_KEY", "API_KEY", None]


def test_a_name_anything_may_rebind_stays_the_callers_variable() -> None:
    cases = {
        "star import after it": "NAME = 'API_KEY'\nfrom os import *\ndef f():\n    get(NAME)\n",
        "global": "NAME = 'API_KEY'\ndef g():\n    global NAME\ndef f():\n    get(NAME)\n",
        "del": "NAME = 'API_KEY'\ndel NAME\ndef f():\n    get(NAME)\n",
        "import": "NAME = 'API_KEY'\nfrom os import sep as NAME\ndef f():\n    get(NAME)\n",
        "for target": "NAME = 'API_KEY'\nfor NAME in ():\n    pass\ndef f():\n    get(NAME)\n",
        "augmented": "NAME = 'API_KEY'\nNAME += 'X'\ndef f():\n    get(NAME)\n",
        "walrus": "NAME = 'API_KEY'\n(NAME := 'oidc/x')\ndef f():\n    get(NAME)\n",
        "two targets": "NAME = OTHER = 'API_KEY'\ndef f():\n    get(NAME)\n",
        "not a literal": "NAME = 'API' + '_KEY'\ndef f():\n    get(NAME)\n",
        "local": "NAME = 'API_KEY'\ndef f():\n    get(NAME)\n    NAME = 'oidc/x'\n",
        "outer parameter": "NAME = 'API_KEY'\ndef f(NAME):\n    def g():\n        get(NAME)\n",
        "class attribute": "NAME = 'API_KEY'\ndef f():\n    class C:\n        NAME = 'oidc/x'\n        get(NAME)\n",
        "comprehension": "NAME = 'API_KEY'\ndef f(xs):\n    [get(NAME) for NAME in xs]\n",
    }
    for case, source in cases.items():
        assert arguments(source) == [(PASSED, "NAME")], case


def test_a_star_import_before_the_constant_cannot_rebind_it() -> None:
    source = "from os import *\nNAME = 'API_KEY'\ndef f():\n    get(NAME)\n    get(sep)\n"
    assert arguments(source) == ["API_KEY", (PASSED, "sep")]  # `sep` may come from the star


def test_an_import_bound_once_is_marked_with_the_name_it_imports() -> None:
    source = """
        import app.names as names
        from app.names import NAME
        from . import settings
        def f(local):
            get(NAME)
            get(names.NAME)
            get(settings.TIMEOUT)
            get(local.NAME)
            get(unbound.NAME)
        class C:
            def m(self):
                get(self.NAME)
    """
    assert arguments(source) == [
        (IMPORTED, "app.names.NAME"),
        (IMPORTED, "app.names.NAME"),
        (IMPORTED, "app.settings.TIMEOUT"),
        NOT_LITERAL,
        NOT_LITERAL,
        NOT_LITERAL,
    ]


def test_an_import_anything_may_rebind_is_not_marked() -> None:
    cases = {
        "bound twice": "from app.names import NAME\nNAME = 'oidc/x'\ndef f():\n    get(NAME)\n",
        "global": "from app.names import NAME\ndef g():\n    global NAME\ndef f():\n    get(NAME)\n",
        "local": "from app.names import NAME\ndef f():\n    NAME = g()\n    get(NAME)\n",
        "star import": "from app.names import NAME\nfrom os import *\ndef f():\n    get(NAME)\n",
    }
    for case, source in cases.items():
        assert arguments(source) == [(PASSED, "NAME")], case
    module_bound_twice = "import app.names as names\nnames = None\ndef f():\n    get(names.NAME)\n"
    assert arguments(module_bound_twice) == [NOT_LITERAL]


def test_a_summary_exports_its_constants_and_project_imports_through_the_cache_encoding() -> None:
    source = """
        from typing import Final
        from os.path import sep
        from app.names import NAME as REEXPORTED
        ENV: Final = "API_KEY"
        TWICE = "A"
        TWICE = "B"
    """
    index = index_module(ast.parse(textwrap.dedent(source)), "app.mod", "app")
    summary = decode(encode(summarize(index, {"app"})))
    assert summary.names.constants == {"ENV": "API_KEY", "REEXPORTED": REEXPORT}
    assert reexported(summary.names.scopes[0].bindings["REEXPORTED"]) == "app.names.NAME"


def test_another_modules_constant_passed_to_a_helper_is_its_literal() -> None:
    """tests/fixtures/constants_app: imported names, ``module.NAME``, a re-export and a helper of a
    third module; a constant that rules the ``open`` out is silent, anything unknown reported."""
    assert sorted((f.path, f.line, f.code) for f in project_findings(APP, "vault")) == project_markers(APP)


def test_editing_another_modules_constant_replans_its_callers(project) -> None:
    """A cached plan that read another module's constant is redone when that module changes: at
    the coroutine's own call, and one helper down."""
    import json

    from click.testing import CliRunner

    from loopguard.cli import cli

    def codes() -> list[tuple[str, int]]:
        result = CliRunner().invoke(cli, ["check", "--output-format", "json", "app"], catch_exceptions=False)
        return [(f["path"], f["line"]) for f in json.loads(result.stdout)]

    root = project({
        "app/__init__.py": "",
        "app/names.py": 'ENV = "API_KEY"\n',
        "app/secrets.py": (
            "def get_secret(name):\n    if name.startswith('oidc/'):\n        return open(name).read()\n"
        ),
        "app/tokens.py": "from app import names\nfrom app.secrets import get_secret\n\n"
        "def token():\n    return get_secret(names.ENV)\n",
        "app/api.py": "from app.names import ENV\nfrom app.secrets import get_secret\nfrom app.tokens import token\n\n"
        "async def handler():\n    get_secret(ENV)\n    token()\n",
    })
    assert codes() == []
    (root / "app/names.py").write_text('ENV = "oidc/token"\n')
    assert codes() == [("app/api.py", 6), ("app/api.py", 7)]
    (root / "app/names.py").write_text('ENV = "API_KEY"\n')
    assert codes() == []
