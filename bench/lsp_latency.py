#!/usr/bin/env python3
"""How fast ``loopguard server`` answers, measured from a real LSP client (pygls's).

Usage::

    python bench/lsp_latency.py FILE [--workspace DIR] [--changes N]

Starts ``python -m loopguard server``, opens FILE (its text, as an unsaved buffer) and prints:

- start-up: from starting the server process to the ``initialize`` answer;
- first check: from ``didOpen`` to the first diagnostics (reads the modules the file imports: the
  project index is built here, from the on-disk cache when the CLI filled one);
- per change: from each ``didChange`` (a new comment line appended, ``debounce`` 0) to its
  diagnostics, and the server's own check time from its log — median and worst of N.

Run it from the directory a CLI run would use (the project root); needs the ``server`` extra.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

CHECK_LOG = re.compile(r"(\d+) findings in (\d+) ms")


class Client(LanguageClient):
    def __init__(self) -> None:
        super().__init__("lsp-latency", "1")
        self.published: asyncio.Queue[types.PublishDiagnosticsParams] = asyncio.Queue()
        self.check_ms: list[int] = []


def make_client() -> Client:
    client = Client()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def diagnostics(ls: Client, params: types.PublishDiagnosticsParams) -> None:
        ls.published.put_nowait(params)

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def log(ls: Client, params: types.LogMessageParams) -> None:
        found = CHECK_LOG.search(params.message)
        if found:
            ls.check_ms.append(int(found.group(2)))

    return client


async def wait_for_version(
    client: Client, uri: str, version: int
) -> types.PublishDiagnosticsParams:
    while True:
        params = await client.published.get()
        if params.uri == uri and params.version == version:
            return params


async def measure(path: Path, workspace: Path, changes: int) -> None:
    client = make_client()
    started = time.perf_counter()
    await client.start_io(sys.executable, "-m", "loopguard", "server")
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name=workspace.name)],
            initialization_options={"debounce": 0},
        )
    )
    client.initialized(types.InitializedParams())
    print(f"start-up (process + initialize): {(time.perf_counter() - started) * 1000:.0f} ms")
    uri, text = path.as_uri(), await asyncio.to_thread(path.read_text, encoding="utf-8")
    opened = time.perf_counter()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri, "python", 1, text)
        )
    )
    first = await wait_for_version(client, uri, 1)
    print(
        f"first check: {(time.perf_counter() - opened) * 1000:.0f} ms,"
        f" {len(first.diagnostics)} diagnostics"
    )
    latencies = []
    for version in range(2, changes + 2):
        text += f"# edit {version}\n"
        sent = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        await wait_for_version(client, uri, version)
        latencies.append((time.perf_counter() - sent) * 1000)
    server = client.check_ms[1:]  # the first is the first check
    print(
        f"per change ({changes}): median {statistics.median(latencies):.0f} ms,"
        f" worst {max(latencies):.0f} ms"
        f" (server check: median {statistics.median(server):.0f} ms, worst {max(server):.0f} ms)"
    )
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("file", type=Path)
    parser.add_argument("--workspace", type=Path, default=Path.cwd())
    parser.add_argument("--changes", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(measure(args.file.resolve(), args.workspace.resolve(), args.changes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
