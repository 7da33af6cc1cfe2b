"""Code actions between a change and its check: the server has the findings of the text it checked
last, and the client asks about the text it has now (Eglot sends the change and asks for the code
actions at once, before the debounce is over). Only a finding whose line still reads the same is
acted on: a noqa comment must not land on whatever line moved under the old position."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient
from test_server import (
    SERVER,
    VIEWS,
    change_buffer,
    diagnostics_become,
    open_buffer,
    start_session,
    write_project,
)


# A debounce far longer than the test: after a change, no check comes while the test asks.
@pytest_lsp.fixture(config=SERVER, scope="module")
async def client(lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    await start_session(lsp_client, tmp_path_factory, {"debounce": 600})
    yield
    await lsp_client.shutdown_session()


async def titles_on(client: LanguageClient, path: Path, first: int, last: int) -> list[str]:
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
            range=types.Range(types.Position(first, 0), types.Position(last, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    return [a.title for a in actions or [] if isinstance(a, types.CodeAction)]


@pytest.mark.asyncio(loop_scope="module")
async def test_actions_wait_for_the_check_of_a_changed_line(
    client: LanguageClient, tmp_path: Path
) -> None:
    write_project(tmp_path)
    views = tmp_path / "app" / "views.py"
    open_buffer(client, views, VIEWS)  # an open is checked at once, without the debounce
    await diagnostics_become(client, views, ["LG101", "LG201"])
    sleep_line = VIEWS.splitlines().index("    time.sleep(1)")
    assert "Add `# noqa: LG101`" in await titles_on(client, views, sleep_line, sleep_line)

    # The sleep's line edited: not checked yet, so nothing to offer on it; the next line, unchanged,
    # keeps its actions.
    edited = VIEWS.replace("    time.sleep(1)", "    time.sleep(2)")
    change_buffer(client, views, edited, 2)
    assert await titles_on(client, views, sleep_line, sleep_line) == []
    assert "Add `# noqa: LG201`" in await titles_on(client, views, sleep_line + 1, sleep_line + 1)

    # A line inserted above: every line below moved, and the old positions hold other text now.
    moved = VIEWS.replace("async def handler():\n", "async def handler():\n    log = []\n")
    change_buffer(client, views, moved, 3)
    assert await titles_on(client, views, sleep_line, sleep_line + 1) == []
