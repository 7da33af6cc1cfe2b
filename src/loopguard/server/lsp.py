"""``loopguard server``: the language server (pygls), over standard input and output.

Documents are checked from their unsaved text on open, change (debounced) and save. The checks run
one at a time in a thread of their own, so the event loop keeps answering (hovers, code actions)
while a big first check reads the project; a check whose document changed meanwhile is not
published (the newer one is on its way).

``initializationOptions`` (all optional): ``{"severity": "warning" | "error" | "information" |
"hint", "debounce": seconds}``. A ``workspace/didChangeConfiguration`` with the same keys (at the
top of ``settings`` or under ``"loopguard"``; Helix sends its ``config`` table so) replaces them.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from loopguard import __version__
from loopguard.config import ConfigError
from loopguard.models import UNSAFE, Finding
from loopguard.server.convert import (
    SEVERITIES,
    SOURCE,
    client_range,
    file_lines,
    hover_text,
    to_diagnostic,
)
from loopguard.server.noqa_edit import add_noqa
from loopguard.server.session import CONFIG_FILES, Checked, Session
from loopguard.server.warm import BufferCheck
from loopguard.sourcetext import split_lines

PYTHON_SUFFIXES = (".py", ".pyi")
DEFAULT_DEBOUNCE = 0.15  # seconds of quiet typing before a changed buffer is checked
#: The analysis walks are recursive and bounded (runner.RECURSION_LIMIT); a thread's default stack
#: is smaller than the main thread's, so the checking thread gets room for them.
CHECK_THREAD_STACK = 64 * 1024 * 1024


@dataclass(slots=True)
class Options:
    severity: types.DiagnosticSeverity = types.DiagnosticSeverity.Warning
    debounce: float = DEFAULT_DEBOUNCE


def options_in(settings: Any) -> dict[str, Any] | None:
    """The server's options in a ``didChangeConfiguration``'s settings: the object itself, or its
    ``"loopguard"`` member, when it names one of them; None for anything else (a client may send
    every extension's settings, or null)."""
    if isinstance(settings, dict) and isinstance(settings.get("loopguard"), dict):
        settings = settings["loopguard"]
    if isinstance(settings, dict) and {"severity", "debounce"} & settings.keys():
        return settings
    return None


def read_options(raw: Any) -> tuple[Options, list[str]]:
    """``initializationOptions`` -> options, and a message per value that was not understood."""
    options, problems = Options(), list[str]()
    if not isinstance(raw, dict):
        return options, problems
    severity = raw.get("severity", "warning")
    if severity in SEVERITIES:
        options.severity = SEVERITIES[severity]
    else:
        problems.append(
            f"severity: {severity!r} is not one of {', '.join(SEVERITIES)}; using warning"
        )
    debounce = raw.get("debounce", DEFAULT_DEBOUNCE)
    if (
        isinstance(debounce, (int, float))
        and not isinstance(debounce, bool)
        and 0 <= debounce <= 10
    ):
        options.debounce = float(debounce)
    else:
        problems.append(
            f"debounce: {debounce!r} is not a number of seconds (0-10); using {DEFAULT_DEBOUNCE}"
        )
    return options, problems


def checking_thread() -> ThreadPoolExecutor:
    """One worker thread, with a stack for the analysis's recursion (set only while it starts)."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="loopguard-check")
    previous = threading.stack_size(CHECK_THREAD_STACK)
    try:
        executor.submit(lambda: None).result()  # starts the thread now, with that stack
    finally:
        threading.stack_size(previous)
    return executor


class LoopguardServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "loopguard", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full
        )
        self.options = Options()
        self.session = Session((), Path.cwd(), self.log)
        self.cwd = Path.cwd()
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.checker = checking_thread()

    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=f"loopguard: {message}"))

    # -- scheduling ----------------------------------------------------------------------------
    def schedule(self, uri: str, delay: float, cascade: bool = True) -> None:
        """Check ``uri`` after ``delay`` seconds, replacing a check of it still waiting."""
        waiting = self.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        self.pending[uri] = asyncio.ensure_future(self.check_after(uri, delay, cascade))

    async def check_after(self, uri: str, delay: float, cascade: bool) -> None:
        if delay:
            await asyncio.sleep(delay)
        self.pending.pop(uri, None)
        await self.check_now(uri, cascade)

    async def check_now(self, uri: str, cascade: bool) -> None:
        document = self.workspace.get_text_document(uri)
        path = document_path(document)
        if path is None:
            return  # an unsaved "untitled:" buffer has no project to check it in
        text, version = document.source, document.version
        loop = asyncio.get_running_loop()
        try:
            # finding the project reads its configuration and cache directory: off the loop, on the
            # checker's one thread like every other use of the session's projects
            warm = await loop.run_in_executor(self.checker, self.session.project_for, path)
            excluded = await loop.run_in_executor(self.checker, warm.excludes, path)
        except ConfigError as error:
            self.publish_config_error(uri, version, str(error))
            return
        if excluded:
            self.publish(uri, version)
            return
        buffers = self.open_buffers(path)
        try:
            result: BufferCheck = await loop.run_in_executor(
                self.checker, warm.check, path, text.encode("utf-8"), buffers
            )
        except Exception as error:  # noqa: BLE001 - a bug: said in the log, the server keeps serving
            self.log(
                f"internal error while checking {path}: {type(error).__name__}: {error};"
                " please report it",
                types.MessageType.Error,
            )
            return
        if (
            uri not in self.session.open_uris
            or self.workspace.get_text_document(uri).version != version
        ):
            return  # closed or changed meanwhile: a newer check publishes
        self.log(f"{path.name}: {len(result.findings)} findings in {result.seconds * 1000:.0f} ms")
        lines = tuple(split_lines(text))
        self.session.checked[uri] = Checked(version, lines, result.findings, result.depends_on)
        self.publish(uri, version, result.findings, path, lines)
        if cascade:
            for other in self.session.dependents(str(path), uri):
                self.schedule(other, 0, cascade=False)

    def open_buffers(self, checked: Path) -> dict[str, bytes]:
        """The text of every other open document, by absolute path (imported modules are read
        from there, unsaved changes included)."""
        return {
            path: self.workspace.get_text_document(uri).source.encode("utf-8")
            for path, uri in self.session.open_paths.items()
            if path != str(checked)
        }

    # -- publishing ----------------------------------------------------------------------------
    def publish(
        self,
        uri: str,
        version: int | None,
        findings: tuple[Finding, ...] = (),
        path: Path | None = None,
        lines: tuple[str, ...] = (),
    ) -> None:
        """The findings of the document, placed in the text that was checked (``lines``)."""
        codec = self.workspace.position_codec

        def lines_of(file: str) -> Sequence[str]:
            return lines if file == str(path) else self.lines_of(file)

        diagnostics = [
            to_diagnostic(f, lines_of, codec, self.cwd, self.options.severity) for f in findings
        ]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=diagnostics)
        )

    def lines_of(self, path: str) -> list[str]:
        """The lines of a file: from its open document when it is open (unsaved text)."""
        uri = self.session.open_paths.get(path)
        if uri is not None:
            return list(self.workspace.get_text_document(uri).lines)
        return file_lines(path)

    def publish_config_error(self, uri: str, version: int | None, message: str) -> None:
        self.log(message, types.MessageType.Error)
        diagnostic = types.Diagnostic(
            range=types.Range(types.Position(0, 0), types.Position(0, 0)),
            message=f"loopguard cannot check this file: {message}",
            severity=types.DiagnosticSeverity.Error,
            source=SOURCE,
        )
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=[diagnostic])
        )

    def settings_changed(self) -> None:
        self.log("a configuration file changed: reading the settings again")
        self.session.forget_settings()
        for uri in self.session.open_uris:
            self.schedule(uri, 0, cascade=False)


def document_path(document: TextDocument) -> Path | None:
    """The file a ``file:`` document stands for (a file URI's path is absolute: no ``getcwd``)."""
    path = to_fs_path(document.uri) if document.uri.startswith("file:") else None
    return Path(path) if path and os.path.isabs(path) else None


def diagnostic_of(params: types.CodeActionParams, finding: Finding) -> types.Diagnostic | None:
    """The client's diagnostic for ``finding`` among those the code action request names."""
    return next(
        (
            d
            for d in params.context.diagnostics
            if d.source == SOURCE and d.code == finding.code and d.range.start.line == finding.line - 1
        ),
        None,
    )


def noqa_action(
    document: TextDocument, codec: Any, code: str, line: int, diagnostic: types.Diagnostic | None
) -> types.CodeAction | None:
    """ "Add `# noqa: LG101`" on the finding's line (1-based), merged into a noqa already there."""
    edit = add_noqa(document.source, line, code)
    if edit is None:
        return None
    lines = list(document.lines)
    where = client_range(codec, lines, edit.line + 1, edit.start + 1, edit.line + 1, edit.end + 1)
    return types.CodeAction(
        title=f"Add `# noqa: {code}`",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic] if diagnostic is not None else None,
        edit=types.WorkspaceEdit(
            changes={document.uri: [types.TextEdit(range=where, new_text=edit.text)]}
        ),
    )


def fix_actions(
    document: TextDocument, codec: Any, finding: Finding, diagnostic: types.Diagnostic | None
) -> list[types.CodeAction]:
    """The finding's fix (``fixes.py``, the same one ``check --fix`` applies) as a ``QuickFix``: a
    safe fix is the preferred action; an unsafe one (the call moves to a thread) says so in its
    title. Planned on the buffer as it is now: a finding whose call has moved gets none."""
    from loopguard.catalogue import ALL_RULES
    from loopguard.fixes import plan_fixes

    fix = plan_fixes(document.source, [finding], ALL_RULES).get(finding)
    if fix is None:
        return []
    lines = list(document.lines)
    edits = [
        types.TextEdit(
            range=client_range(codec, lines, e.line, e.column, e.end_line, e.end_column), new_text=e.content
        )
        for e in fix.edits
    ]
    unsafe = fix.applicability == UNSAFE
    return [
        types.CodeAction(
            title=f"{'Unsafe fix' if unsafe else 'Fix'}: {fix.message}",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic] if diagnostic is not None else None,
            # Not `false` for an unsafe fix but absent: Eglot 1.9 reads any `isPreferred` as true.
            is_preferred=True if not unsafe else None,
            edit=types.WorkspaceEdit(changes={document.uri: edits}),
        )
    ]


def create_server() -> LoopguardServer:
    server = LoopguardServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: LoopguardServer, params: types.InitializeParams) -> None:
        ls.options, problems = read_options(params.initialization_options)
        folders = [
            Path(p) for p in (to_fs_path(f.uri) for f in params.workspace_folders or []) if p
        ]
        root = to_fs_path(params.root_uri) if params.root_uri else params.root_path
        if not folders and root:
            folders = [Path(root)]
        ls.session = Session(folders, Path.cwd(), ls.log)
        for problem in problems:
            ls.log(problem, types.MessageType.Warning)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LoopguardServer, params: types.DidOpenTextDocumentParams) -> None:
        document = ls.workspace.get_text_document(params.text_document.uri)
        path = document_path(document)
        if params.text_document.language_id != "python" and (
            path is None or path.suffix not in PYTHON_SUFFIXES
        ):
            return  # a client may send any document: only Python is checked
        ls.session.opened(document.uri, path)
        ls.schedule(document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: LoopguardServer, params: types.DidChangeTextDocumentParams) -> None:
        if params.text_document.uri in ls.session.open_uris:
            ls.schedule(params.text_document.uri, ls.options.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: LoopguardServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.session.files_changed()
        if Path(to_fs_path(params.text_document.uri) or "").name in CONFIG_FILES:
            ls.settings_changed()
        elif params.text_document.uri in ls.session.open_uris:
            ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: LoopguardServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.session.closed(uri)
        waiting = ls.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(
        ls: LoopguardServer, params: types.DidChangeConfigurationParams
    ) -> None:
        settings = options_in(params.settings)
        if settings is None:
            return  # another tool's settings, or none: the options stay as they are
        options, problems = read_options(settings)
        for problem in problems:
            ls.log(problem, types.MessageType.Warning)
        if options != ls.options:
            ls.options = options
            for uri in ls.session.open_uris:
                ls.schedule(uri, 0, cascade=False)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_files(ls: LoopguardServer, params: types.DidChangeWatchedFilesParams) -> None:
        ls.session.files_changed()
        if any(
            Path(to_fs_path(change.uri) or "").name in CONFIG_FILES for change in params.changes
        ):
            ls.settings_changed()

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: LoopguardServer, params: types.HoverParams) -> types.Hover | None:
        checked = ls.session.checked.get(params.text_document.uri)
        if checked is None:
            return None
        where = ls.workspace.position_codec.position_from_client_units(
            list(checked.lines), params.position
        )
        found = checked.at(where.line, where.character)
        if not found:
            return None
        text = "\n\n---\n\n".join(hover_text(finding) for finding in found)
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(ls: LoopguardServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        document = ls.workspace.get_text_document(params.text_document.uri)
        checked = ls.session.checked.get(document.uri)
        now = split_lines(document.source)
        findings = (
            checked.on_lines(params.range.start.line, params.range.end.line, now) if checked else []
        )
        fixes: list[types.CodeAction] = []
        for finding in findings:
            fixes += fix_actions(
                document, ls.workspace.position_codec, finding, diagnostic_of(params, finding)
            )
        # Safe fixes, then the noqa comments, then the unsafe fixes: a client without a preferred
        # action offers the first one as its default (Eglot 1.9 does), and that must not be a
        # change of behaviour (an unsafe fix moves the call to a thread).
        actions = [a for a in fixes if a.is_preferred]
        unsafe = [a for a in fixes if not a.is_preferred]
        seen: set[tuple[str, int]] = set()
        for finding in findings:
            if finding.code == "LG001" or (finding.code, finding.line) in seen:
                continue
            seen.add((finding.code, finding.line))
            action = noqa_action(
                document, ls.workspace.position_codec, finding.code, finding.line,
                diagnostic_of(params, finding),
            )
            if action is not None:
                actions.append(action)
        return actions + unsafe

    return server


def serve() -> int:
    create_server().start_io()
    return 0
