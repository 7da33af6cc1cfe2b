"""``workspace/didChangeConfiguration``: the options a client sends after ``initialize`` (Helix sends
its ``config`` table so) replace those of ``initializationOptions``, and the open buffers are
published again with them; other tools' settings leave them alone."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient
from test_server import diagnostics_become, open_buffer, start_session

from loopguard.server.lsp import options_in

SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "loopguard", "server"])
BUFFER = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    await start_session(lsp_client, tmp_path_factory, {"debounce": 0.05, "severity": "information"})
    yield
    await lsp_client.shutdown_session()


def change_configuration(client: LanguageClient, settings: object) -> None:
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=settings))


async def severity_becomes(client: LanguageClient, path: Path, severity: types.DiagnosticSeverity) -> None:
    for _ in range(300):
        [found] = await diagnostics_become(client, path, ["LG101"])
        if found.severity == severity:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the severity stayed {found.severity}, not {severity}")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.loopguard]\n")
    return tmp_path


@pytest.mark.asyncio
async def test_changed_options_republish_the_open_buffers(client: LanguageClient, project: Path) -> None:
    path = project / "views.py"
    open_buffer(client, path, BUFFER)
    await severity_becomes(client, path, types.DiagnosticSeverity.Information)
    change_configuration(client, {"python": {"analysis": {}}})  # another tool's: ignored
    change_configuration(client, {"severity": "error"})  # Helix: its `config` table, as is
    await severity_becomes(client, path, types.DiagnosticSeverity.Error)
    change_configuration(client, {"loopguard": {"severity": "hint"}})  # under the server's name
    await severity_becomes(client, path, types.DiagnosticSeverity.Hint)


def test_only_settings_that_name_an_option_are_the_servers() -> None:
    assert options_in({"severity": "error"}) == {"severity": "error"}
    assert options_in({"loopguard": {"debounce": 0.1}, "python": {}}) == {"debounce": 0.1}
    assert options_in({"python": {"severity": "error"}}) is None
    assert options_in(None) is None
    assert options_in({"loopguard": "error"}) is None
