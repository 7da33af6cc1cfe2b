"""JUnit XML, for CI systems that only show test reports (GitLab, Jenkins, Azure Pipelines).

The layout is ruff's: ``<testsuites name="loopguard">`` holds one ``<testsuite>`` per file with
findings, and each finding is a ``<testcase>`` of its own (``name="loopguard.LG101"``, with ``line``
and ``column``), so a CI server counts and lists findings, not files. A finding is a ``<failure>``;
a file that could not be read or parsed (``LG001``) is an ``<error>`` instead, since it was never
checked. A clean run is one passing test case, so the report is never empty.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import PurePosixPath

from loopguard.models import Finding
from loopguard.report import ReportContext, message_with_suggestion

SUITE_NAME = "loopguard"
FILE_ERROR_CODE = "LG001"
CLEAN_TESTCASE = "No blocking calls found"
# Characters XML 1.0 cannot carry at all, even escaped; a message quoting source could hold them.
INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    return INVALID_XML_CHARS.sub("\ufffd", text)


def outcome(finding: Finding) -> str:
    """``error`` for a file that was never checked, ``failure`` for a finding."""
    return "error" if finding.code == FILE_ERROR_CODE else "failure"


def class_name(path: str) -> str:
    """``app/api.py`` -> ``app/api``: the file as a "class", as ruff names it."""
    return xml_text(str(PurePosixPath(path).with_suffix("")) if path.endswith((".py", ".pyi")) else path)


def add_testcase(suite: ET.Element, finding: Finding) -> None:
    testcase = ET.SubElement(
        suite, "testcase", name=xml_text(f"{SUITE_NAME}.{finding.code}"),
        classname=class_name(finding.path), line=str(finding.line), column=str(finding.column),
    )
    problem = ET.SubElement(
        testcase, outcome(finding), message=xml_text(finding.message), type=xml_text(finding.code)
    )
    detail = f"{finding.path}:{finding.line}:{finding.column}: {message_with_suggestion(finding)}"
    problem.text = xml_text(detail)


def set_counts(element: ET.Element, findings: Sequence[Finding]) -> None:
    outcomes = [outcome(f) for f in findings]
    element.set("tests", str(max(len(outcomes), 1)))
    element.set("failures", str(outcomes.count("failure")))
    element.set("errors", str(outcomes.count("error")))


def findings_by_file(findings: Sequence[Finding]) -> dict[str, list[Finding]]:
    """Group by path, keeping the order in which files first appear."""
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.path, []).append(finding)
    return grouped


def file_suite(root: ET.Element, path: str, findings: Sequence[Finding]) -> None:
    suite = ET.SubElement(root, "testsuite", name=xml_text(path), package=SUITE_NAME)
    set_counts(suite, findings)
    for finding in findings:
        add_testcase(suite, finding)


def clean_suite(root: ET.Element) -> None:
    suite = ET.SubElement(root, "testsuite", name=SUITE_NAME, package=SUITE_NAME)
    set_counts(suite, [])
    ET.SubElement(suite, "testcase", name=CLEAN_TESTCASE, classname=SUITE_NAME)


def build_report(findings: Sequence[Finding]) -> ET.Element:
    root = ET.Element("testsuites", name=SUITE_NAME)
    set_counts(root, findings)
    for path, file_findings in findings_by_file(findings).items():
        file_suite(root, path, file_findings)
    if not findings:
        clean_suite(root)
    return root


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    report = build_report(findings)
    ET.indent(report)
    body = ET.tostring(report, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
