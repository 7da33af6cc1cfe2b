"""SARIF 2.1.0, the format GitHub code scanning and most security dashboards ingest.

One run: ``tool.driver`` describes loopguard and every rule of the catalogue, results point at
files relative to ``%SRCROOT%`` (the project root), and a transitive finding carries its chain as a
code flow. Each result has a partial fingerprint built from what the finding *says* (file, code,
message, the text of the offending line) rather than where it is, so an alert survives code moving
up or down the file.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from loopguard.models import Finding, Fix, Hop, Rule
from loopguard.report import ReportContext, message_with_suggestion
from loopguard.report.full import call_label

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/loopguard/loopguard"
RULE_HELP_URI = "https://github.com/loopguard/loopguard/blob/main/docs/rules/{code}.md"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "loopguardFingerprint/v1"
FILE_ERROR_CODE = "LG001"
FILE_ERROR_NAME = "file-error"
FILE_ERROR_SUMMARY = "A file could not be read or parsed, so it was not checked."
LEVEL_BY_SEVERITY = {"error": "error", "warning": "warning"}

JsonObject = dict[str, Any]


def repo_path(path: str, root: Path) -> str:
    """``path`` relative to the project root in posix form, or absolute when outside the root.

    Finding paths are relative to the working directory, which need not be the root.
    """
    absolute = PurePath(os.path.abspath(path))
    try:
        return absolute.relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        return absolute.as_posix()


def root_uri(root: Path) -> str:
    """The root as a ``file:`` URI; SARIF requires a base URI to end with a slash."""
    uri = Path(os.path.abspath(root)).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def artifact_location(path: str, root: Path) -> JsonObject:
    relative = repo_path(path, root)
    if PurePath(relative).is_absolute():
        return {"uri": Path(relative).as_uri()}
    return {"uri": quote(relative), "uriBaseId": SRCROOT}


def region(
    line: int, column: int, end_line: int | None = None, end_column: int | None = None
) -> JsonObject:
    """A 1-based region; ``endColumn`` is exclusive, as in loopguard's own findings.

    SARIF forbids zero and backwards positions, so unknown ones (an unparseable file may report
    line 0) are clamped to the start of the file rather than producing an invalid log.
    """
    start_line, start_column = max(line, 1), max(column, 1)
    result: JsonObject = {"startLine": start_line, "startColumn": start_column}
    if end_line is not None and end_column is not None:
        last_line = max(end_line, start_line)
        lowest_end = start_column if last_line == start_line else 1
        result["endLine"] = last_line
        result["endColumn"] = max(end_column, lowest_end)
    return result


def rule_help_text(rule: Rule) -> str:
    replacement = rule.use_instead or rule.instead.get("asyncio", "")
    if not replacement:
        return rule.summary
    separator = "\n\n" if "\n" in replacement else " "
    return f"Use instead:{separator}{replacement}"


def rule_descriptor(rule: Rule) -> JsonObject:
    descriptor: JsonObject = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.why or rule.summary},
        "help": {"text": rule_help_text(rule)},
        "helpUri": RULE_HELP_URI.format(code=rule.code),
        "defaultConfiguration": {"level": "error"},
    }
    if rule.domain:
        descriptor["properties"] = {"tags": [rule.domain]}
    return descriptor


def fallback_descriptor(finding: Finding) -> JsonObject:
    """A descriptor for a code the catalogue does not hold, such as ``LG001`` (file error)."""
    is_file_error = finding.code == FILE_ERROR_CODE
    name = finding.name or (FILE_ERROR_NAME if is_file_error else finding.code.lower())
    summary = FILE_ERROR_SUMMARY if is_file_error else finding.message
    return {
        "id": finding.code,
        "name": name,
        "shortDescription": {"text": summary},
        "defaultConfiguration": {"level": "error"},
    }


def rule_descriptors(findings: Sequence[Finding], rules: Mapping[str, Rule]) -> list[JsonObject]:
    """Every catalogue rule by code, then one fallback per unknown code that was reported."""
    descriptors = [rule_descriptor(rules[code]) for code in sorted(rules)]
    known = set(rules)
    for finding in findings:
        if finding.code not in known:
            known.add(finding.code)
            descriptors.append(fallback_descriptor(finding))
    return descriptors


def result_message(finding: Finding) -> str:
    return message_with_suggestion(finding)


def fingerprint(finding: Finding, context: ReportContext) -> str:
    """A hash of what the finding says, deliberately without its line number."""
    line_text = context.read_line(finding.path, finding.line).strip()
    parts = (repo_path(finding.path, context.root), finding.code, finding.message, line_text)
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def finding_location(finding: Finding, root: Path) -> JsonObject:
    return {
        "physicalLocation": {
            "artifactLocation": artifact_location(finding.path, root),
            "region": region(finding.line, finding.column, finding.end_line, finding.end_column),
        }
    }


def hop_location(hop: Hop, root: Path) -> JsonObject:
    return {
        "location": {
            "physicalLocation": {
                "artifactLocation": artifact_location(hop.path, root),
                "region": region(hop.line, hop.column),
            },
            "message": {"text": f"{call_label(hop.function)} calls {hop.call}"},
        }
    }


def code_flow(chain: Sequence[Hop], root: Path) -> JsonObject:
    return {"threadFlows": [{"locations": [hop_location(hop, root) for hop in chain]}]}


def sarif_result(finding: Finding, rule_index: int, context: ReportContext) -> JsonObject:
    result: JsonObject = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": LEVEL_BY_SEVERITY.get(finding.severity, "note"),
        "message": {"text": result_message(finding)},
        "locations": [finding_location(finding, context.root)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding, context)},
    }
    if finding.chain:
        result["codeFlows"] = [code_flow(finding.chain, context.root)]
    if finding.fix is not None:
        result["fixes"] = [sarif_fix(finding, finding.fix, context.root)]
    return result


def sarif_fix(finding: Finding, fix: Fix, root: Path) -> JsonObject:
    """A fix as SARIF's ``artifactChanges``: each edit replaces a region (empty for an insertion)."""
    replacements = [
        {
            "deletedRegion": region(edit.line, edit.column, edit.end_line, edit.end_column),
            "insertedContent": {"text": edit.content},
        }
        for edit in fix.edits
    ]
    return {
        "description": {"text": f"{fix.message} ({fix.applicability} fix)"},
        "artifactChanges": [
            {"artifactLocation": artifact_location(finding.path, root), "replacements": replacements}
        ],
    }


def sarif_log(findings: Sequence[Finding], context: ReportContext) -> JsonObject:
    descriptors = rule_descriptors(findings, context.rules)
    index_by_code = {descriptor["id"]: index for index, descriptor in enumerate(descriptors)}
    driver = {
        "name": "loopguard",
        "version": context.version,
        "informationUri": INFORMATION_URI,
        "rules": descriptors,
    }
    run = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {SRCROOT: {"uri": root_uri(context.root)}},
        # Columns count characters (code points), not the UTF-16 units SARIF assumes by default.
        "columnKind": "unicodeCodePoints",
        "results": [sarif_result(f, index_by_code[f.code], context) for f in findings],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    return json.dumps(sarif_log(findings, context), indent=2) + "\n"
