"""Import aliases: a service's package under plain folders, imported by its short name.

``services/api/app/api.py`` runs with ``services/api`` on ``sys.path`` and says ``from app.util
import slow``; loopguard names the module ``services.api.app.util`` (docs/configuration.md,
"Module names"). The import resolves to that package without ``src`` being set, and only where
that is not a guess: the near misses below stay as they were.
"""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from loopguard.analysis.import_aliases import with_aliases
from loopguard.cli import cli
from loopguard.discovery import namespaces
from loopguard.discovery.namespaces import ImportAliases

BLOCKING = "import time\n\n\ndef slow():\n    time.sleep(1)\n"
HARMLESS = "def slow():\n    return 1\n"
CALLER = "from app.util import slow\n\n\nasync def handler():\n    slow()\n"
CONFIG = "[tool.loopguard]\n"


def check(*args: str) -> list[tuple[str, str, str]]:
    """(path, code, the end of the chain) of each finding."""
    result = CliRunner().invoke(cli, ["check", "--output-format", "json", *args], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return [(f["path"], f["code"], f["chain"][-1]["path"] if f["chain"] else "") for f in json.loads(result.stdout)]


def settings_of(path: str) -> list[str]:
    result = CliRunner().invoke(cli, ["check", "--show-settings", path], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def service() -> dict[str, str]:
    """The project's configuration and ``services/api/app``, whose ``util.slow`` blocks."""
    return {"pyproject.toml": CONFIG, "services/api/app/__init__.py": "", "services/api/app/util.py": BLOCKING}


def test_every_form_of_absolute_import_reaches_the_package(project) -> None:
    project({
        **service(),
        "services/api/app/api.py": CALLER,
        "services/api/app/forms.py": (
            "import app.util\nimport app.util as u\nfrom app import util\nfrom .util import slow\n\n\n"
            "async def handler():\n    app.util.slow()\n    u.slow()\n    util.slow()\n    slow()\n"
        ),
    })
    found = check("--no-cache")
    assert [(path, code) for path, code, _ in found] == [("services/api/app/api.py", "LG101")] + [
        ("services/api/app/forms.py", "LG101")
    ] * 4
    assert {end for _, _, end in found} == {"services/api/app/util.py"}
    assert check("--no-cache", "services/api/app/api.py") == found[:1]


def test_each_service_imports_its_own_package(project) -> None:
    """Two services with an ``app`` each: a module of ``services/api`` (in its package or in a
    plain folder beside it) imports ``services/api/app``, one of ``services/worker`` the other."""
    project({
        **service(),
        "services/api/app/api.py": CALLER,
        "services/api/tests/test_api.py": CALLER,
        "services/worker/app/__init__.py": "",
        "services/worker/app/util.py": HARMLESS,
        "services/worker/app/api.py": CALLER,
    })
    assert check("--no-cache") == [
        ("services/api/app/api.py", "LG101", "services/api/app/util.py"),
        ("services/api/tests/test_api.py", "LG101", "services/api/app/util.py"),
    ]
    assert settings_of("services/worker/app/api.py")[7:9] == [
        "Import aliases (a package under namespace folders):",
        "  app -> services.worker.app",
    ]


def test_a_name_two_services_have_is_ambiguous_elsewhere(project) -> None:
    """``services/x.py`` is in neither service: which ``app`` it means is a guess, so it stays
    unresolved (no finding rather than a wrong one), and ``--show-settings`` says why."""
    project({
        **service(),
        "services/worker/app/__init__.py": "",
        "services/worker/app/util.py": BLOCKING,
        "services/x.py": CALLER,
    })
    assert check("--no-cache", "services/x.py") == []
    assert check("--no-cache") == []
    assert settings_of("services/x.py")[6:9] == [
        "Package: services",
        "Ambiguous imports (left unresolved; `src` can name the folder to import from):",
        "  app: services.api.app, services.worker.app",
    ]


def test_the_only_package_of_a_name_is_imported_from_another_folder(project) -> None:
    project({**service(), "services/x.py": CALLER})
    expected = [("services/x.py", "LG101", "services/api/app/util.py")]
    assert check("--no-cache") == expected
    assert check("--no-cache", "services/x.py") == expected


def test_a_top_level_project_module_wins(project) -> None:
    """``app`` at the project root is what ``import app`` names, whatever lies under folders."""
    project({
        **service(),
        "services/api/app/api.py": CALLER,
        "app/__init__.py": "",
        "app/util.py": "import requests\n\n\ndef slow():\n    return requests.get('u')\n",
    })
    assert check("--no-cache", "services") == [("services/api/app/api.py", "LG201", "app/util.py")]


def test_a_library_name_stays_a_library(project) -> None:
    """A third-party name no project package has is untouched. A test fixture named ``requests``
    under plain folders is not the ``requests`` a service means (a library's name is an alias
    only to a package of the importer's own folders), nor what a module whose package sits right
    in a source root means (it imports from the source roots only)."""
    call = "import requests\n\n\nasync def handler():\n    requests.get('u')\n"
    project({
        **service(),
        "services/api/app/api.py": call,
        "services/api/app/other.py": "import httpx\n\n\nasync def handler():\n    httpx.get('u')\n",
        "shop/__init__.py": "",
        "shop/api.py": call,
        "tests/fixtures/requests/__init__.py": "def get(url):\n    return url\n",
    })
    assert [(path, code) for path, code, _ in check("--no-cache", "services", "shop")] == [
        ("services/api/app/api.py", "LG201"),
        ("services/api/app/other.py", "LG202"),
        ("shop/api.py", "LG201"),
    ]
    assert settings_of("services/api/app/api.py")[7:9] == [
        "Import aliases (a package under namespace folders):",
        "  app -> services.api.app",
    ]
    assert not any(line.startswith("Import aliases") for line in settings_of("shop/api.py"))


def test_a_library_name_is_a_package_of_the_importers_own_folders(project) -> None:
    """Run from ``services/api``, its own ``requests`` package is what ``import requests`` gives."""
    project({
        **service(),
        "services/api/requests/__init__.py": "import time\n\n\ndef get(url):\n    time.sleep(1)\n",
        "services/api/app/api.py": "import requests\n\n\nasync def handler():\n    requests.get('u')\n",
    })
    assert check("--no-cache") == [("services/api/app/api.py", "LG101", "services/api/requests/__init__.py")]


def test_settings_naming_a_function_as_the_service_imports_it_still_match(project) -> None:
    """``loop-decorators``, ``safe-calls`` (and the other settings naming functions) written as
    the service imports (``app.web.route``) match as before the imports were rewritten."""
    project({
        **service(),
        "services/api/app/web.py": "def route(function):\n    return function\n",
        "services/api/app/api.py": (
            "import time\n\nfrom app.web import route\nfrom app.util import slow\n\n\n"
            "@route\ndef view():\n    time.sleep(1)\n\n\nasync def handler():\n    slow()\n"
        ),
    })
    Path("pyproject.toml").write_text(
        '[tool.loopguard]\nloop-decorators = ["app.web.route"]\nsafe-calls = ["app.util.slow"]\n'
    )
    assert check("--no-cache") == [("services/api/app/api.py", "LG101", "")]
    assert check("--no-cache", "services/api/app/api.py") == [("services/api/app/api.py", "LG101", "")]


def test_a_configured_source_root_makes_the_short_name_a_module(project) -> None:
    """With ``src = ["services/api", "."]`` the package is ``app`` itself (no alias is needed)."""
    project({**service(), "services/api/app/api.py": CALLER})
    Path("pyproject.toml").write_text('[tool.loopguard]\nsrc = ["services/api", "."]\n')
    assert check("--no-cache") == [("services/api/app/api.py", "LG101", "services/api/app/util.py")]
    lines = settings_of("services/api/app/api.py")
    assert "Module: app.api" in lines and not any(line.startswith("Import aliases") for line in lines)


def test_a_warm_run_after_an_edit_equals_a_cold_run(project) -> None:
    root = project({**service(), "services/api/app/api.py": CALLER, "services/x.py": CALLER})
    both = [
        ("services/api/app/api.py", "LG101", "services/api/app/util.py"),
        ("services/x.py", "LG101", "services/api/app/util.py"),
    ]
    assert check() == both and check() == both
    (root / "services/api/app/util.py").write_text(HARMLESS)
    assert check() == [] == check("--no-cache")
    (root / "services/api/app/util.py").write_text(BLOCKING)
    assert check() == both
    assert check("services/x.py") == both[1:]
    # a second ``app`` makes the one of services/x.py ambiguous: no file it reads has changed
    (root / "services/worker/app").mkdir(parents=True)
    (root / "services/worker/app/__init__.py").write_text("")
    assert check("services/x.py") == [] == check("--no-cache", "services/x.py")
    assert check() == both[:1] == check("--no-cache")


def test_the_search_skips_what_discovery_skips(tmp_path: Path) -> None:
    """Virtualenvs, node_modules, hidden folders, names that are no identifiers and symlinks hold
    no project package; another source root is searched on its own."""
    for folder in (
        "node_modules/x/app", ".hidden/x/app", "lib/python3.11/x/app", "build/x/app",
        "services/api/app", "src/pkg", "src/pkg/inner",
    ):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "__init__.py").write_text("")
    os.symlink(tmp_path / "services", tmp_path / "linked")
    (tmp_path / "services/api/main.py").write_text("")
    found = ImportAliases([str(tmp_path), str(tmp_path / "src")])
    assert found.packages == {"app": ((str(tmp_path / "services/api"), "services.api.app"),)}
    assert found.of(tmp_path / "services/api/main.py") == (("app", "services.api.app"),)
    assert found.of(tmp_path / "services/api/app/util.py") == (("app", "services.api.app"),)
    assert found.of(tmp_path / "src/pkg/inner/mod.py") == ()  # its package sits in a source root


def test_a_search_too_big_makes_no_alias(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the folder limit the search gives up whole: a part of it could make an ambiguous name
    look unique."""
    for folder in ("a/app", "b/c/app"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "__init__.py").write_text("")
    assert len(ImportAliases([str(tmp_path)]).packages["app"]) == 2
    monkeypatch.setattr(namespaces, "MAX_NAMESPACE_FOLDERS", 3)
    assert ImportAliases([str(tmp_path)]).packages == {}


def test_imports_in_every_kind_of_block_are_rewritten() -> None:
    source = (
        "import app\nimport app.util as u\nfrom app.util import slow\nfrom . import app as local\n"
        "try:\n    import app.a\nexcept ImportError:\n    from app import b\nelse:\n    import app.c\n"
        "finally:\n    import apps\n"
        "class C:\n    def f(self):\n        if x:\n            import app.d\n"
        "match x:\n    case 1:\n        from app.e import f\n"
        "with x:\n    for y in z:\n        pass\n    else:\n        import app.g\n"
    )
    tree = with_aliases(ast.parse(source), {"app": "services.api.app"})
    imports = sorted(
        (node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))),
        key=lambda node: node.lineno,
    )
    assert [
        (node.names[0].name, node.names[0].asname) if isinstance(node, ast.Import) else (node.module, node.level)
        for node in imports
    ] == [
        ("services.api.app", "app"), ("services.api.app.util", "u"), ("services.api.app.util", 0),
        (None, 1), ("services.api.app", "app"), ("services.api.app", 0), ("services.api.app", "app"),
        ("apps", None), ("services.api.app", "app"), ("services.api.app.e", 0), ("services.api.app", "app"),
    ]
