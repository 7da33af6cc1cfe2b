"""The JSON contract of DESIGN.md: one array sorted by path, line and column."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from loopguard.models import Finding
from loopguard.report import ReportContext


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    data = asdict(finding)
    data["chain"] = [asdict(hop) for hop in finding.chain]
    return {
        key: data[key]
        for key in (
            "path", "line", "column", "end_line", "end_column", "code", "name", "severity",
            "message", "suggestion", "chain", "root", "fix",
        )
    }


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    return json.dumps([finding_to_dict(f) for f in findings], indent=2) + "\n"
