"""GitLab Code Quality report: the JSON array a ``codequality`` artifact shows in merge requests.

GitLab matches findings between the source and target branch by ``fingerprint`` alone, so it must
be stable when unrelated lines move and unique within one report: it hashes the file, code, message
and the text of the offending line, plus an occurrence counter for identical findings.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from loopguard.models import Finding
from loopguard.report import ReportContext
from loopguard.report.sarif import repo_path

SEVERITY_BY_LEVEL = {"error": "major", "warning": "minor"}


def finding_identity(finding: Finding, path: str, context: ReportContext) -> tuple[str, ...]:
    """What makes a finding the same finding on another branch: everything but its position."""
    line_text = context.read_line(finding.path, finding.line).strip()
    return (path, finding.code, finding.message, line_text)


def fingerprint(identity: tuple[str, ...], occurrence: int) -> str:
    key = "\0".join((*identity, str(occurrence)))
    return hashlib.md5(key.encode("utf-8"), usedforsecurity=False).hexdigest()


def code_quality_issue(finding: Finding, path: str, fingerprint_hex: str) -> dict[str, Any]:
    return {
        "description": f"{finding.code} {finding.message}",
        "check_name": finding.code,
        "fingerprint": fingerprint_hex,
        "severity": SEVERITY_BY_LEVEL.get(finding.severity, "info"),
        "location": {"path": path, "lines": {"begin": max(finding.line, 1)}},
    }


def code_quality_issues(
    findings: Sequence[Finding], context: ReportContext
) -> list[dict[str, Any]]:
    seen: Counter[tuple[str, ...]] = Counter()
    issues = []
    for finding in findings:
        path = repo_path(finding.path, context.root)
        identity = finding_identity(finding, path, context)
        seen[identity] += 1
        issues.append(code_quality_issue(finding, path, fingerprint(identity, seen[identity])))
    return issues


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    return json.dumps(code_quality_issues(findings, context), indent=2) + "\n"
