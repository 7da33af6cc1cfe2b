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
