"""Blocking calls one to four calls below a coroutine, across modules and classes.

The fixture project tests/fixtures/transitive_app carries its expectations inline (``# error:``
on the coroutine's call site); its loopguard.toml configures an offload helper, a loop decorator,
a safe call, a blocking vendor call and ``max-depth = 4``.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from conftest import FIXTURES, expected_markers, findings_of

from loopguard.cli import cli
from loopguard.config import load_config

APP = FIXTURES / "transitive_app"


def app_findings():
    config = load_config(APP / "loopguard.toml", APP)
    return findings_of(APP / "shop", config=config, cwd=APP)


def test_every_marker_of_the_project_and_nothing_else() -> None:
    found = sorted((f.path, f.line, f.code) for f in app_findings())
    expected = sorted(
        (path.relative_to(APP).as_posix(), line, code)
        for path in sorted(APP.rglob("*.py"))
        for line, code in expected_markers(path)
    )
    assert found == expected


def test_chain_message_and_suggestion_of_a_transitive_finding() -> None:
    [finding] = [f for f in app_findings() if f.line == 16 and f.path == "shop/handlers.py"]
    assert finding.code == "LG201" and finding.name == "requests-call"
    assert finding.message == (
        "`load_profile()` blocks the event loop: -> fetch_avatar() -> requests.get "
        "(shop/clients/avatars.py:9)"
    )
    assert finding.suggestion.startswith("`await asyncio.to_thread(load_profile, ...)` or, in `fetch_avatar`, ")
    assert [(h.path, h.line, h.function, h.call) for h in finding.chain] == [
        ("shop/handlers.py", 16, "show_profile", "load_profile()"),
        ("shop/services/profiles.py", 11, "load_profile", "fetch_avatar()"),
        ("shop/clients/avatars.py", 9, "fetch_avatar", "requests.get"),
    ]


def test_methods_are_followed_through_bases_and_super() -> None:
    [finding] = [f for f in app_findings() if f.path == "shop/handlers.py" and f.line == 65]
    assert [h.call for h in finding.chain] == [
        "ProfileService.refresh()", "ProfileService.fetch()", "BaseService.fetch()",
        "AvatarClient.download()", "requests.Session.get",
    ]


def test_ignoring_the_api_code_hides_its_transitive_findings(project) -> None:
    config = load_config(APP / "loopguard.toml", APP)
    from dataclasses import replace

    found = findings_of(APP / "shop", config=replace(config, ignore=("LG2",)), cwd=APP)
    assert {f.code for f in found} == {"LG102", "LG801"}
    found = findings_of(APP / "shop", config=replace(config, ignore=("LG1", "LG2")), cwd=APP)
    assert {f.code for f in found} == {"LG801"}


def test_json_chain_contract(monkeypatch) -> None:
    monkeypatch.chdir(APP)
    result = CliRunner().invoke(
        cli, ["check", "--no-cache", "--config", "loopguard.toml", "--output-format", "json", "shop/handlers.py"]
    )
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)
    first = next(f for f in findings if f["line"] == 16)
    assert first["chain"][0] == {
        "path": "shop/handlers.py", "line": 16, "column": 12, "function": "show_profile", "call": "load_profile()",
    }
    assert {f["line"] for f in findings} == {line for line, _ in expected_markers(APP / "shop" / "handlers.py")}


def test_editing_a_helper_changes_the_callers_finding_through_the_cache(project) -> None:
    root = project({
        "app/__init__.py": "",
        "app/helpers.py": "import requests\n\ndef fetch():\n    return requests.get('u')\n",
        "app/api.py": "from app.helpers import fetch\n\nasync def handler():\n    return fetch()\n",
    })
    def check() -> list[str]:
        result = CliRunner().invoke(cli, ["check", "--output-format", "json", "app/api.py"])
        return [f["code"] for f in json.loads(result.stdout)]

    assert check() == ["LG201"]
    (root / "app/helpers.py").write_text("def fetch():\n    return 'cached'\n")
    assert check() == []
    (root / "app/helpers.py").write_text("import time\n\ndef fetch():\n    time.sleep(1)\n")
    assert check() == ["LG101"]


def test_helpers_file_alone_reports_nothing() -> None:
    config = load_config(APP / "loopguard.toml", APP)
    assert findings_of(APP / "shop" / "services" / "profiles.py", config=config, cwd=APP) == []


def test_fixture_paths_exist() -> None:
    assert (APP / "shop" / "handlers.py").exists() and isinstance(APP, Path)
