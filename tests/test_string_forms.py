"""Branches taken only for a prefix of a string the call does not show: not reported by default,
never under the blocking call's own code, LG012 when selected — in one file, across modules, and
the same with a warm cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, expected_markers, findings_of, project_markers

from loopguard.cli import cli
from loopguard.config import load_config

WITH_LG012 = sorted(
    path for path in FIXTURES.glob("*.py") if any(code == "LG012" for _line, code in expected_markers(path))
)


def test_the_fixtures_with_string_form_chains_are_known() -> None:
    assert [path.name for path in WITH_LG012] == [
        "chains_string_forms.py",
        "precision_constant_arguments.py",
        "precision_constant_tables.py",
        "precision_module_constants.py",
    ]


@pytest.mark.parametrize("fixture", WITH_LG012, ids=lambda p: p.name)
def test_by_default_the_lg012_lines_are_silent_and_the_others_unchanged(fixture: Path) -> None:
    found = sorted((f.line, f.code) for f in findings_of(fixture, cwd=FIXTURES))
    assert found == [(line, code) for line, code in expected_markers(fixture) if code != "LG012"]


def test_by_default_the_lg012_lines_of_the_constants_project_are_silent(tmp_path: Path) -> None:
    app = FIXTURES / "constants_app"
    settings = tmp_path / "loopguard.toml"
    settings.write_text("max-depth = 4\n")  # the project's own, without its `select` of LG012
    config = load_config(settings, app)
    found = sorted((f.path, f.line, f.code) for f in findings_of(app / "vault", config=config, cwd=app))
    assert found == [marker for marker in project_markers(app) if marker[2] != "LG012"]


SECRETS = '''
import os


def get_secret(name):
    if name.startswith("oidc/"):
        with open(os.environ["TOKEN_FILE"]) as f:
            return f.read()
    return os.environ.get(name)


def provider_key(provider):
    return get_secret(provider.upper() + "_API_KEY")
'''
API = '''
from app.secrets import get_secret, provider_key


async def handler(name):
    get_secret(name)
    provider_key("openai")
    get_secret("oidc/google")
    get_secret("API_KEY")
'''


def check(*args: str) -> list[tuple[str, int, str]]:
    result = CliRunner().invoke(cli, ["check", "--output-format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return [(f["path"], f["line"], f["code"]) for f in json.loads(result.stdout)]


def test_across_modules_the_prefix_branch_is_lg012_only(project) -> None:
    project({"app/__init__.py": "", "app/secrets.py": SECRETS, "app/api.py": API})
    decided = [("app/api.py", 8, "LG501")]
    assert check() == decided == check("--no-cache")
    with_forms = [("app/api.py", 6, "LG012"), ("app/api.py", 7, "LG012"), *decided]
    assert check("--extend-select", "LG012") == with_forms == check("--no-cache", "--extend-select", "LG012")
    assert check() == decided  # selecting LG012 once leaves nothing behind in the cache


def test_an_lg012_finding_names_the_chain_and_root(project) -> None:
    """As LG011, LG012 reports chains to blocking calls whose own code is selected too."""
    project({"app/__init__.py": "", "app/secrets.py": SECRETS, "app/api.py": API})
    only_lg012 = CliRunner().invoke(cli, ["check", "--output-format", "json", "--select", "LG012"])
    assert json.loads(only_lg012.stdout) == []
    result = CliRunner().invoke(cli, ["check", "--output-format", "json", "--select", "LG012,LG501"])
    found = json.loads(result.stdout)
    assert [f["code"] for f in found] == ["LG012", "LG012", "LG501"]
    assert [hop["call"] for hop in found[1]["chain"]] == ["provider_key()", "get_secret()", "open"]
    assert found[1]["root"] == "app/secrets.py:7 open"
