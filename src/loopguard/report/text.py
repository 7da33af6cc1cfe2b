"""``path:line:col: CODE message`` — one line per finding, the format editors and grep understand.

Control characters in the path or the message are escaped (``\\n``), so a file name cannot start a
line of its own or send a terminal sequence.
"""

from __future__ import annotations

from collections.abc import Sequence

from loopguard.models import Finding
from loopguard.report import ReportContext, escape_controls, message_with_suggestion


def format_line(finding: Finding) -> str:
    location = f"{escape_controls(finding.path)}:{finding.line}:{finding.column}:"
    return f"{location} {finding.code} {escape_controls(message_with_suggestion(finding))}"


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    return "".join(format_line(f) + "\n" for f in findings)
