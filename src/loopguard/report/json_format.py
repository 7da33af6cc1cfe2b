"""The JSON contract of DESIGN.md: one array sorted by path, line and column."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from loopguard.models import Edit, Finding, Fix
from loopguard.report import ReportContext


def edit_to_dict(edit: Edit) -> dict[str, Any]:
    """ruff's edit: 1-based rows and columns, the end exclusive."""
    return {
        "content": edit.content,
        "location": {"row": edit.line, "column": edit.column},
        "end_location": {"row": edit.end_line, "column": edit.end_column},
    }


def fix_to_dict(fix: Fix | None) -> dict[str, Any] | None:
    """ruff's ``fix`` object, so tools that read ruff's JSON read ours."""
    if fix is None:
        return None
    return {"applicability": fix.applicability, "message": fix.message, "edits": [edit_to_dict(e) for e in fix.edits]}


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    data = asdict(finding)
    data["chain"] = [asdict(hop) for hop in finding.chain]
    data["fix"] = fix_to_dict(finding.fix)
    return {
        key: data[key]
        for key in (
            "path", "line", "column", "end_line", "end_column", "code", "name", "severity",
            "message", "suggestion", "chain", "root", "fix",
        )
    }


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    return json.dumps([finding_to_dict(f) for f in findings], indent=2) + "\n"
