"""``path:line:col: CODE message`` — one line per finding, the format editors and grep understand."""

from __future__ import annotations

from collections.abc import Sequence

from loopguard.models import Finding
from loopguard.report import ReportContext


def quote_code(text: str) -> str:
    """Backticks around a suggestion that is plain code; prose with its own code spans stays as is."""
    return text if "`" in text else f"`{text}`"


def format_line(finding: Finding) -> str:
    text = f"{finding.path}:{finding.line}:{finding.column}: {finding.code} {finding.message}"
    if finding.suggestion:
        text += f"; use {quote_code(finding.suggestion)}"
    return text


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    return "".join(format_line(f) + "\n" for f in findings)
