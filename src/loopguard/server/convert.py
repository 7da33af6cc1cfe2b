"""Findings as the Language Server Protocol shows them: diagnostics, related locations, hovers.

Positions: a ``Finding`` counts lines and columns from 1, in characters (code points); LSP counts
from 0, in the code units the client and server agreed on (UTF-16 unless negotiated otherwise).
``PositionCodec`` converts, given the text of the line.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from functools import cache
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

from lsprotocol import types
from pygls.uris import from_fs_path
from pygls.workspace.position_codec import PositionCodec, ServerTextPosition, ServerTextRange

import loopguard
from loopguard import __version__
from loopguard.catalogue import ALL_RULES
from loopguard.models import Finding, Hop
from loopguard.report import message_with_suggestion, quote_code
from loopguard.sourcetext import split_lines

SOURCE = "loopguard"
DISTRIBUTION = "loopguard-lint"
SEVERITIES = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}
#: The labels of ``[project.urls]`` that name the source repository, whose ``docs/rules/`` pages
#: are linked at the release's tag.
REPOSITORY_LABELS = ("repository", "source", "source code", "homepage")


@cache  # one stat per code per server: a memoised helper, reported only under LG011
def rule_page_url(code: str) -> str | None:
    """The documentation page of a rule (``docs/rules/LG101.md``), for ``codeDescription``.

    From the installed distribution's ``[project.urls]`` when it names a GitHub or GitLab
    repository (the page at the release's tag ``vX.Y.Z``); else the page in the source checkout
    loopguard runs from (an editable install), as a ``file:`` URI; else none (the hover still
    shows the page's text)."""
    base = repository_url()
    if base is not None:
        return f"{base}/blob/v{__version__}/docs/rules/{code}.md"
    docs = checkout_docs()
    if docs is None or not (docs / f"{code}.md").is_file():
        return None
    return (docs / f"{code}.md").as_uri()


@cache
def repository_url() -> str | None:
    try:
        urls: list[str] = metadata.metadata(DISTRIBUTION).get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in urls:
        label, _, url = entry.partition(",")
        host = urlsplit(url.strip()).hostname or ""
        if label.strip().lower() in REPOSITORY_LABELS and host in ("github.com", "gitlab.com"):
            return url.strip().rstrip("/")
    return None


@cache
def checkout_docs() -> Path | None:
    """``docs/rules`` of the checkout when loopguard runs from one (``src/loopguard``)."""
    docs = Path(loopguard.__file__).resolve().parents[2] / "docs" / "rules"
    return docs if docs.is_dir() else None


def absolute_path(display: str, cwd: Path) -> str:
    """A finding's path (relative to the working directory when under it) made absolute again."""
    return display if os.path.isabs(display) else os.path.normpath(cwd / display)


def client_range(
    codec: PositionCodec,
    lines: Sequence[str],
    line: int,
    column: int,
    end_line: int,
    end_column: int,
) -> types.Range:
    """1-based character positions as an LSP range in the client's units."""
    start = ServerTextPosition(max(line - 1, 0), max(column - 1, 0))
    end = ServerTextPosition(max(end_line - 1, 0), max(end_column - 1, 0))
    return codec.range_to_client_units(list(lines), ServerTextRange(start, end))


#: The text of a file by absolute path, as lines: an open document's unsaved text, else the disk's.
LinesOf = Callable[[str], Sequence[str]]


def hop_location(hop: Hop, cwd: Path, codec: PositionCodec, lines_of: LinesOf) -> types.Location:
    """Where one hop of a chain is: the call on that line."""
    path = absolute_path(hop.path, cwd)
    where = client_range(codec, lines_of(path), hop.line, hop.column, hop.line, hop.column)
    return types.Location(uri=from_fs_path(path) or Path(path).as_uri(), range=where)


#: The lines of files a chain goes through, while their stamp (mtime, size) is the same: a
#: diagnostic is published on every change, and splitting a big file takes milliseconds.
_FILE_LINES: dict[str, tuple[tuple[int, int], list[str]]] = {}
FILE_LINES_KEPT = 256


def file_lines(path: str) -> list[str]:
    try:
        found = os.stat(path)
        stamp = (found.st_mtime_ns, found.st_size)
        known = _FILE_LINES.get(path)
        if known is not None and known[0] == stamp:
            return known[1]
        with open(path, encoding="utf-8", errors="replace") as file:
            lines = split_lines(file.read())
    except OSError:
        return []
    if len(_FILE_LINES) >= FILE_LINES_KEPT:
        _FILE_LINES.clear()
    _FILE_LINES[path] = (stamp, lines)
    return lines


def hop_message(hop: Hop) -> str:
    function = hop.function if hop.function.endswith(")") else f"{hop.function}()"
    return f"{function} calls `{hop.call}`"


def to_diagnostic(
    finding: Finding,
    lines_of: LinesOf,
    codec: PositionCodec,
    cwd: Path,
    severity: types.DiagnosticSeverity,
) -> types.Diagnostic:
    """One finding of a buffer as a diagnostic; a transitive finding's chain is its related
    information, one location per hop, the last on the blocking call."""
    url = rule_page_url(finding.code)
    lines = lines_of(absolute_path(finding.path, cwd))
    related = [
        types.DiagnosticRelatedInformation(
            location=hop_location(hop, cwd, codec, lines_of), message=hop_message(hop)
        )
        for hop in finding.chain
    ]
    return types.Diagnostic(
        range=client_range(
            codec, lines, finding.line, finding.column, finding.end_line, finding.end_column
        ),
        message=message_with_suggestion(finding),
        severity=types.DiagnosticSeverity.Error if finding.code == "LG001" else severity,
        code=finding.code,
        code_description=types.CodeDescription(href=url) if url is not None else None,
        source=SOURCE,
        related_information=related or None,
    )


def hover_text(finding: Finding) -> str:
    """Markdown: the rule, the message, what to use instead, the chain and the rule's page."""
    rule = ALL_RULES.get(finding.code)
    title = f"**{finding.code}** `{finding.name}`"
    parts = [title, finding.message]
    if finding.suggestion:
        parts.append(f"Use instead: {quote_code(finding.suggestion)}")
    if finding.chain:
        hops = "\n".join(
            f"{n}. `{hop.call}` in `{hop.function}` ({hop.path}:{hop.line})"
            for n, hop in enumerate(finding.chain, 1)
        )
        parts.append(f"Chain down to the blocking call:\n\n{hops}")
    if rule is not None and rule.why:
        parts.append(rule.why)
    url = rule_page_url(finding.code)
    parts.append(
        f"[{finding.code} documentation]({url})" if url else f"`loopguard explain {finding.code}`"
    )
    return "\n\n".join(parts)
