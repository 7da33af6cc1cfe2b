"""JUnit XML, for CI systems that only show test reports (GitLab, Jenkins, Azure Pipelines).

One ``<testsuite name="loopguard">`` holds one ``<testcase>`` per file with findings, each finding a
``<failure>`` inside it; a file that could not be read or parsed (``LG001``) is an ``<error>``
instead, since it was never checked. The suite counts test cases, so ``failures`` is the number of
files with findings and ``errors`` the number of files that could not be checked. A clean run is a
single passing test case, so the report is never empty.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from loopguard.models import Finding
from loopguard.report import ReportContext, message_with_suggestion

SUITE_NAME = "loopguard"
FILE_ERROR_CODE = "LG001"
# Characters XML 1.0 cannot carry at all, even escaped; a message quoting source could hold them.
INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    return INVALID_XML_CHARS.sub("\ufffd", text)


def add_problem(testcase: ET.Element, finding: Finding) -> None:
    tag = "error" if finding.code == FILE_ERROR_CODE else "failure"
    problem = ET.SubElement(
        testcase, tag, message=xml_text(finding.message), type=xml_text(finding.code)
    )
    detail = f"{finding.path}:{finding.line}:{finding.column}: {message_with_suggestion(finding)}"
    problem.text = xml_text(detail)


def file_testcase(suite: ET.Element, path: str, findings: Sequence[Finding]) -> str:
    """Add the test case of one file; return ``"error"`` or ``"failure"``, whichever it counts as."""
    testcase = ET.SubElement(suite, "testcase", name=xml_text(path), classname=xml_text(path))
    for finding in findings:
        add_problem(testcase, finding)
    has_error = any(f.code == FILE_ERROR_CODE for f in findings)
    return "error" if has_error else "failure"


def findings_by_file(findings: Sequence[Finding]) -> dict[str, list[Finding]]:
    """Group by path, keeping the order in which files first appear."""
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.path, []).append(finding)
    return grouped


def build_suite(findings: Sequence[Finding]) -> ET.Element:
    suite = ET.Element("testsuite", name=SUITE_NAME)
    outcomes = [
        file_testcase(suite, path, file_findings)
        for path, file_findings in findings_by_file(findings).items()
    ]
    if not outcomes:
        ET.SubElement(suite, "testcase", name=SUITE_NAME, classname=SUITE_NAME)
    suite.set("tests", str(max(len(outcomes), 1)))
    suite.set("failures", str(outcomes.count("failure")))
    suite.set("errors", str(outcomes.count("error")))
    return suite


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    suite = build_suite(findings)
    ET.indent(suite)
    body = ET.tostring(suite, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
