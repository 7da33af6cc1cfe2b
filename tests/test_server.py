"""``loopguard server`` end to end: a real LSP client (pytest-lsp) talks to ``python -m loopguard
server`` over standard input and output, about a buffer that is never saved to disk."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "loopguard", "server"])

HELPERS = """\
import requests


def fetch():
    return requests.get("https://example.com")
"""

VIEWS = """\
import time

from app.helpers import fetch


async def handler():
    time.sleep(1)
    page = fetch()
    open("log.txt")  # LG501, ignored by the project's settings
    return page
"""


def write_project(root: Path) -> None:
    (root / "pyproject.toml").write_text('[tool.loopguard]\nignore = ["LG5"]\n')
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "helpers.py").write_text(HELPERS)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_project(tmp_path)
    return tmp_path


# One server for the module's tests (starting one costs a second or more); each test has a project
# of its own, found from its pyproject.toml as the CLI finds it.
@pytest_lsp.fixture(config=SERVER, scope="module")
async def client(lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    await start_session(lsp_client, tmp_path_factory, {"debounce": 0.05, "severity": "information"})
    yield
    await lsp_client.shutdown_session()


async def start_session(
    client: LanguageClient, tmp_path_factory: pytest.TempPathFactory, options: dict[str, object]
) -> None:
    """``initialize`` as VS Code sends it, for an empty workspace folder, with these options."""
    workspace = tmp_path_factory.mktemp("workspace")
    params = types.InitializeParams(
        capabilities=pytest_lsp.client_capabilities("visual-studio-code"),
        workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="workspace")],
        initialization_options=options,
    )
    await client.initialize_session(params)


async def diagnostics_become(
    client: LanguageClient, path: Path, codes: list[str]
) -> list[types.Diagnostic]:
    """The document's diagnostics once the latest published ones have exactly these codes (a
    configuration error has none: "None"). Polled, not awaited one notification at a time: the
    server re-checks other open documents too, and a notification missed would hang the test."""
    uri, deadline = path.as_uri(), time.monotonic() + 30
    while True:
        found = list(client.diagnostics.get(uri, []))
        if uri in client.diagnostics and sorted(str(d.code) for d in found) == sorted(codes):
            return found
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{path.name}: expected {codes}, last published {[str(d.code) for d in found]}"
            )
        await asyncio.sleep(0.02)


def open_buffer(client: LanguageClient, path: Path, text: str) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=path.as_uri(), language_id="python", version=1, text=text
            )
        )
    )


def change_buffer(client: LanguageClient, path: Path, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=path.as_uri(), version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def by_code(diagnostics: list[types.Diagnostic]) -> dict[str, types.Diagnostic]:
    return {str(d.code): d for d in diagnostics}


@pytest.mark.asyncio(loop_scope="module")
async def test_an_unsaved_buffer_gets_findings_with_the_chain_and_loses_them_when_fixed_or_closed(
    client: LanguageClient, project: Path
) -> None:
    views = project / "app" / "views.py"  # never written: the buffer exists only in the editor
    open_buffer(client, views, VIEWS)
    # LG501 (open) is ignored by pyproject.toml
    found = by_code(await diagnostics_become(client, views, ["LG101", "LG201"]))

    sleep = found["LG101"]
    assert (
        sleep.source == "loopguard" and sleep.severity == types.DiagnosticSeverity.Information
    )  # as asked
    assert (sleep.range.start.line, sleep.range.start.character) == (6, 4)
    assert (sleep.range.end.line, sleep.range.end.character) == (6, 17)
    assert sleep.code_description is not None and sleep.code_description.href.endswith("LG101.md")
    assert sleep.related_information is None

    transitive = found["LG201"]
    assert transitive.range.start.line == 7
    hops = transitive.related_information or []
    assert [(Path(h.location.uri).name, h.location.range.start.line) for h in hops] == [
        ("views.py", 7),
        ("helpers.py", 4),
    ]
    blocking = hops[-1]
    assert blocking.location.uri == (project / "app" / "helpers.py").as_uri()
    assert blocking.location.range.start.character == 11  # `requests.get(` on that line
    assert "requests.get" in blocking.message

    change_buffer(client, views, VIEWS.replace("    time.sleep(1)\n", ""), 2)
    await diagnostics_become(client, views, ["LG201"])

    client.text_document_did_close(
        types.DidCloseTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=views.as_uri())
        )
    )
    await diagnostics_become(client, views, [])  # a closed buffer leaves no diagnostics behind


@pytest.mark.asyncio(loop_scope="module")
async def test_hover_shows_the_rule_and_a_code_action_adds_noqa(
    client: LanguageClient, project: Path
) -> None:
    views = project / "app" / "views.py"
    text = VIEWS.replace(
        "    time.sleep(1)\n", "    time.sleep(1)  # noqa: LG2\n"
    )  # LG2 does not cover LG101
    open_buffer(client, views, text)
    sleep = by_code(await diagnostics_become(client, views, ["LG101", "LG201"]))["LG101"]

    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=views.as_uri()),
            position=sleep.range.start,
        )
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert "**LG101** `blocking-sleep`" in hover.contents.value
    assert "`time.sleep` blocks the event loop" in hover.contents.value
    assert "await asyncio.sleep(...)" in hover.contents.value

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=views.as_uri()),
            range=sleep.range,
            context=types.CodeActionContext(diagnostics=[sleep]),
        )
    )
    assert actions is not None
    titles = [a.title for a in actions if isinstance(a, types.CodeAction)]
    assert titles == ["Add `# noqa: LG101`"]
    action = actions[0]
    assert (
        isinstance(action, types.CodeAction)
        and action.edit is not None
        and action.edit.changes is not None
    )
    (edit,) = action.edit.changes[views.as_uri()]
    edited = apply_edit(text, edit)
    assert "    time.sleep(1)  # noqa: LG101, LG2\n" in edited  # merged into the comment there

    change_buffer(client, views, edited, 2)
    await diagnostics_become(client, views, ["LG201"])


@pytest.mark.asyncio(loop_scope="module")
async def test_code_actions_apply_the_fixes_of_check_fix(client: LanguageClient, project: Path) -> None:
    """The sleep's safe fix is the preferred action; the helper call gets the unsafe thread fix."""
    views = project / "app" / "views.py"
    open_buffer(client, views, VIEWS)
    found = by_code(await diagnostics_become(client, views, ["LG101", "LG201"]))

    async def actions_for(code: str) -> list[types.CodeAction]:
        diagnostic = found[code]
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=views.as_uri()),
                range=diagnostic.range,
                context=types.CodeActionContext(diagnostics=[diagnostic]),
            )
        )
        return [a for a in actions or [] if isinstance(a, types.CodeAction)]

    sleep_fix, sleep_noqa = await actions_for("LG101")
    assert sleep_fix.title.startswith("Fix: ") and sleep_fix.is_preferred
    assert sleep_noqa.title == "Add `# noqa: LG101`"
    assert sleep_fix.edit is not None and sleep_fix.edit.changes is not None
    edits = sleep_fix.edit.changes[views.as_uri()]
    rewrite = next(e for e in edits if e.range.start.line == found["LG101"].range.start.line)
    assert apply_edit(VIEWS, rewrite).count("    await asyncio.sleep(1)\n") == 1
    assert any(e.new_text.startswith("import asyncio") for e in edits)  # the import, added once

    # An unsafe fix comes after the noqa comment: a client with no preferred action to pick offers
    # the first action as the default (Eglot 1.9 does), and that must not move the call to a thread.
    helper_noqa, thread_fix = await actions_for("LG201")
    assert helper_noqa.title == "Add `# noqa: LG201`"
    assert thread_fix.title.startswith("Unsafe fix: ")
    assert thread_fix.is_preferred is None  # absent: Eglot 1.9 takes `"isPreferred": false` as true
    assert thread_fix.edit is not None and thread_fix.edit.changes is not None
    (rewrite,) = [e for e in thread_fix.edit.changes[views.as_uri()] if "to_thread" in e.new_text]
    assert "await asyncio.to_thread(fetch)" in apply_edit(VIEWS, rewrite)

    # A range over both lines (Eglot asks for the expression at point, which can span lines): the
    # safe fix first, then the comments, the unsafe fix last.
    both = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=views.as_uri()),
            range=types.Range(found["LG101"].range.start, found["LG201"].range.end),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    titles = [a.title.split(":")[0] for a in both or [] if isinstance(a, types.CodeAction)]
    assert titles == ["Fix", "Add `# noqa", "Add `# noqa", "Unsafe fix"]


def apply_edit(text: str, edit: types.TextEdit) -> str:
    """A single-line edit (ASCII text: characters are UTF-16 units)."""
    lines = text.splitlines(keepends=True)
    start, end = edit.range.start, edit.range.end
    assert start.line == end.line
    line = lines[start.line]
    lines[start.line] = line[: start.character] + edit.new_text + line[end.character :]
    return "".join(lines)


@pytest.mark.asyncio(loop_scope="module")
async def test_an_unsaved_helper_in_another_tab_changes_the_coroutine_findings(
    client: LanguageClient, project: Path
) -> None:
    views, helpers = project / "app" / "views.py", project / "app" / "helpers.py"
    open_buffer(client, views, VIEWS)
    await diagnostics_become(client, views, ["LG101", "LG201"])
    open_buffer(client, helpers, HELPERS)
    await diagnostics_become(client, helpers, [])
    change_buffer(
        client, helpers, HELPERS.replace('requests.get("https://example.com")', "None"), 2
    )
    # the coroutine's buffer is re-checked against the helper's unsaved text
    await diagnostics_become(client, views, ["LG101"])


def test_the_server_without_pygls_says_how_to_install_it() -> None:
    hide_pygls = (
        "import sys; sys.modules['pygls'] = None; sys.argv = ['loopguard', 'server'];"
        "from loopguard.cli import main; raise SystemExit(main())"
    )
    done = subprocess.run(
        [sys.executable, "-c", hide_pygls], check=False, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "pip install 'loopguard-lint[server]'" in done.stderr
    assert done.stdout == ""


async def save(client: LanguageClient, path: Path, text: str) -> None:
    await asyncio.to_thread(path.write_text, text)
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=path.as_uri())
        )
    )


@pytest.mark.asyncio(loop_scope="module")
async def test_settings_come_from_pyproject_and_are_read_again_when_it_is_saved(
    client: LanguageClient, project: Path
) -> None:
    views, pyproject = project / "app" / "views.py", project / "pyproject.toml"
    settings = await asyncio.to_thread(pyproject.read_text)
    client.text_document_did_open(  # a client that sends every document: not Python, not checked
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=pyproject.as_uri(), language_id="toml", version=1, text=settings
            )
        )
    )
    open_buffer(client, views, VIEWS)
    await diagnostics_become(client, views, ["LG101", "LG201"])
    assert pyproject.as_uri() not in client.diagnostics

    await save(client, pyproject, '[tool.loopguard]\nignor = ["LG1"]\n')
    (broken,) = await diagnostics_become(
        client, views, ["None"]
    )  # a configuration error has no code
    assert "pyproject.toml" in broken.message and "ignor" in broken.message
    assert broken.severity == types.DiagnosticSeverity.Error

    await save(client, pyproject, '[tool.loopguard]\nignore = ["LG1", "LG5"]\n')
    await diagnostics_become(client, views, ["LG201"])


def test_the_options_default_to_warnings_and_say_what_they_do_not_understand() -> None:
    from loopguard.server.lsp import DEFAULT_DEBOUNCE, read_options

    options, problems = read_options(None)
    assert (options.severity, options.debounce, problems) == (
        types.DiagnosticSeverity.Warning,
        DEFAULT_DEBOUNCE,
        [],
    )
    options, problems = read_options({"severity": "hint", "debounce": 0})
    assert (options.severity, options.debounce, problems) == (
        types.DiagnosticSeverity.Hint,
        0.0,
        [],
    )
    options, problems = read_options({"severity": "loud", "debounce": "soon"})
    assert (
        options.severity == types.DiagnosticSeverity.Warning
        and options.debounce == DEFAULT_DEBOUNCE
    )
    assert problems == [
        "severity: 'loud' is not one of error, warning, information, hint; using warning",
        "debounce: 'soon' is not a number of seconds (0-10); using 0.15",
    ]
