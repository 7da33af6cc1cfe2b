"""``path:line:col: CODE message`` — one line per finding, the format editors and grep understand."""

from __future__ import annotations

from collections.abc import Sequence

from loopguard.models import Finding
from loopguard.report import ReportContext, message_with_suggestion


def format_line(finding: Finding) -> str:
    return f"{finding.path}:{finding.line}:{finding.column}: {finding.code} {message_with_suggestion(finding)}"


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    return "".join(format_line(f) + "\n" for f in findings)
