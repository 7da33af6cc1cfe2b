"""GitHub Actions workflow commands: ``::error file=...,line=...::message`` annotations.

Escaping follows GitHub's own toolkit (``@actions/core``, ``command.ts``): the message escapes
``%``, CR and LF; property values escape those and also ``:`` and ``,``, which would otherwise end
the value or start the message. ``%`` goes first so the escapes themselves are not re-escaped.
Other control characters have no escape there (the runner would print them as they are into the
log), so they are shown as ``\\x1b`` like in the other text formats; CR and LF keep GitHub's own
escapes, so the annotation of a file whose name holds a newline still points at that file.
"""

from __future__ import annotations

from collections.abc import Sequence

from loopguard.models import Finding
from loopguard.report import ReportContext, escape_controls, message_with_suggestion

COMMAND_BY_SEVERITY = {"error": "error", "warning": "warning"}


def escape_data(text: str) -> str:
    text = escape_controls(text, keep="\r\n")
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation_message(finding: Finding) -> str:
    return f"{finding.code} {message_with_suggestion(finding)}"


def format_annotation(finding: Finding) -> str:
    command = COMMAND_BY_SEVERITY.get(finding.severity, "notice")
    properties = {
        "file": finding.path,
        "line": str(finding.line),
        "col": str(finding.column),
        "endLine": str(finding.end_line),
        "endColumn": str(finding.end_column),
        "title": finding.code,
    }
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{command} {joined}::{escape_data(annotation_message(finding))}"


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    return "".join(format_annotation(f) + "\n" for f in findings)
