"""Memoised helpers: never reported under the blocking call's code; LG011 when selected; a helper
warmed at import is silent, and that follows edits of the module that warms it."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from conftest import FIXTURES, findings_of

from loopguard.cli import cli


def test_by_default_memoised_chains_are_not_reported_under_the_leaf_code() -> None:
    found = [(f.line, f.code) for f in findings_of(FIXTURES / "chains_memoised.py", cwd=FIXTURES)]
    text = (FIXTURES / "chains_memoised.py").read_text().splitlines()
    assert [(text[line - 1].strip(), code) for line, code in found] == [
        ("real_and_memoised()  # error: LG201", "LG201"),
        ("uncached()  # error: LG208", "LG208"),
    ]


HELPERS = """
import functools
import ssl


@functools.cache
def client_context():
    return ssl.create_default_context()
"""
WARM = "from app.helpers import client_context\n\nclient_context()\n"
API = "from app.helpers import client_context\n\n\nasync def handler():\n    return client_context()\n"


def check(*args: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["check", "--output-format", "json", "--select", "LG011,LG2", *args])
    return json.loads(result.stdout)


def test_warming_in_another_module_is_followed_on_warm_runs(project) -> None:
    root: Path = project({"app/__init__.py": "", "app/helpers.py": HELPERS, "app/api.py": API,
                          "app/startup.py": WARM})
    assert check() == [] == check("--no-cache")
    (root / "app/startup.py").write_text("# no longer warms it\n")
    found = check()
    assert [(f["code"], f["line"]) for f in found] == [("LG011", 5)]
    assert found[0]["chain"][-1]["call"] == "ssl.create_default_context"
    assert found == check("--no-cache")
    (root / "app/startup.py").write_text(WARM)
    assert check() == []


def test_a_module_global_filled_once_is_a_memo_not_reported_under_the_leaf_code() -> None:
    """The getters of chains_memoised_globals.py are reported only under LG011 (its .toml selects
    it); by default only the near misses, whose work runs again on later calls, are reported."""
    path = FIXTURES / "chains_memoised_globals.py"
    text = path.read_text().splitlines()
    found = [(text[f.line - 1].strip().partition("(")[0], f.code) for f in findings_of(path, cwd=FIXTURES)]
    assert found == [
        ("set_in_one_branch", "LG501"),
        ("returns_before_setting", "LG501"),
        ("set_to_a_falsy_value", "LG501"),
        ("set_under_try", "LG201"),
        ("not_declared_global", "LG201"),
        ("work_outside_the_memo", "LG101"),
        ("set_to_none", "LG201"),
        ("set_to_an_object_after_is_true", "LG201"),
    ]
