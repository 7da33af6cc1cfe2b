"""Names taken from ``from module import *`` (stars.py): the fixture project
tests/fixtures/stars_app carries its expectations inline; a warm run, and a run of one file in a
warm project, report what a cold run reports."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, project_findings, project_markers

from loopguard.analysis.index import index_module
from loopguard.analysis.stars import UNKNOWN_ALL, exported, public_names

APP = FIXTURES / "stars_app"


def test_every_marker_of_the_project_and_nothing_else() -> None:
    assert sorted((f.path, f.line, f.code) for f in project_findings(APP, "shop")) == project_markers(APP)


def test_a_name_from_a_star_import_is_chained_to_where_it_is_defined() -> None:
    [finding] = [f for f in project_findings(APP, "shop") if f.path == "shop/handlers.py" and f.line == 17]
    assert finding.root == "shop/types/kinds.py:13 open"


def checked(directory: Path, *arguments: str) -> list[tuple[str, int, str, str]]:
    run = subprocess.run(
        [sys.executable, "-m", "loopguard", "check", "--output-format", "json", "--exit-zero", *arguments],
        cwd=directory, capture_output=True, text=True, check=True,
    )
    return [(f["path"], f["line"], f["code"], f["message"]) for f in json.loads(run.stdout)]


def test_a_warm_run_and_one_file_in_a_warm_project_report_what_a_cold_run_does(tmp_path: Path) -> None:
    project = tmp_path / "app"
    shutil.copytree(APP, project)
    cold = checked(project, "--no-cache", "shop")
    assert len(cold) == len(project_markers(APP))
    assert checked(project, "shop") == cold  # fills the cache
    assert checked(project, "shop") == cold  # read from it
    handlers = project / "shop" / "handlers.py"
    handlers.write_text(handlers.read_text() + "# edited\n")
    alone = checked(project, "shop/handlers.py")
    assert alone == [finding for finding in cold if finding[0] == "shop/handlers.py"]


@pytest.mark.parametrize(
    ("code", "public"),
    [
        ("x = 1", None),
        ('__all__ = ["a", "b"]', ("a", "b")),
        ('__all__: list[str] = ("a",)', ("a",)),
        ('__all__ = ["a"]\n__all__ += ["b"]', UNKNOWN_ALL),
        ('__all__ = ["a", name]', UNKNOWN_ALL),
        ("__all__ = names()", UNKNOWN_ALL),
        ('if x:\n    __all__ = ["a"]', UNKNOWN_ALL),
        ('__all__ = ["a"]\n__all__.extend(["b"])', UNKNOWN_ALL),
        ("del __all__", UNKNOWN_ALL),
        ('__all__, x = ["a"], 1', UNKNOWN_ALL),
        ('try:\n    __all__ = ["a"]\nexcept ImportError:\n    pass', UNKNOWN_ALL),
        # a function's body is not read: what it may do to __all__ when called is not looked for
        ('def f():\n    __all__.append("x")\n\n__all__ = ["a"]', ("a",)),
        # changed, never bound here (the index looks for a statement that may change it: these)
        ('__all__.extend(["b"])', UNKNOWN_ALL),
        ('if x:\n    __all__.append("b")', UNKNOWN_ALL),
        ("del (__all__, x)", UNKNOWN_ALL),
        ("del [__all__]", UNKNOWN_ALL),
        ("__all__ += names", UNKNOWN_ALL),
        ('def f():\n    __all__.append("x")', None),
        ('def f():\n    global __all__\n    __all__ = ["a"]', None),
        ('class C:\n    __all__ = ["a"]', None),
        ("del (x, y)", None),
        ("x.extend(__all__)", None),
    ],
)
def test_what_a_star_import_of_a_module_binds(code: str, public: tuple[str, ...] | None) -> None:
    assert public_names(ast.parse(code)) == public
    # the index reads ``__all__`` only when a statement may change it: the same answer
    assert index_module(ast.parse(code), "app", "").public == public


def test_which_names_a_star_import_binds() -> None:
    assert exported(None, "name") is True
    assert exported(None, "_private") is False
    assert exported(("a",), "a") is True
    assert exported(("a",), "b") is False
    assert exported(UNKNOWN_ALL, "a") is None


def test_one_file_in_a_warm_project_follows_a_package_that_re_exports_its_submodule(tmp_path: Path) -> None:
    """A package's ``__init__`` importing its own submodule is an import like any other: a run over
    one file reads that submodule as context (it was skipped as the package's "own" name)."""
    types = tmp_path / "shop" / "types"
    types.mkdir(parents=True)
    (tmp_path / "shop" / "__init__.py").write_text("")
    (types / "__init__.py").write_text("from shop.types.kinds import read_settings\n")
    (types / "kinds.py").write_text('def read_settings():\n    return open("/etc/x").read()\n')
    view = tmp_path / "shop" / "view.py"
    view.write_text("from shop.types import read_settings\n\n\nasync def view():\n    return read_settings()\n")
    whole = checked(tmp_path, "shop")
    assert [(path, line) for path, line, _code, _message in whole] == [("shop/view.py", 5)]
    view.write_text(view.read_text() + "# edited\n")
    assert checked(tmp_path, "shop/view.py") == whole


def test_star_imports_in_a_cycle_are_searched_once_each(tmp_path: Path) -> None:
    """Two modules star-importing each other, and a package star-importing itself: each module is
    searched once for a name, and a name no module binds stays unknown (no finding, no error)."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from pkg.b import *\nfrom . import *\n")
    (package / "a.py").write_text('from pkg.b import *\nimport os\n\n\ndef helper():\n    os.stat("/")\n')
    (package / "b.py").write_text("from pkg.a import *\nfrom pkg import *\n\n\nasync def f():\n    helper()\n    missing()\n")
    assert [(path, line, code) for path, line, code, _message in checked(tmp_path, "--no-cache", "pkg")] == [
        ("pkg/b.py", 6, "LG513")
    ]
