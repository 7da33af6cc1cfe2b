"""The output formats, rendered from hand-built findings and checked as text or parsed structure."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from loopguard.models import Finding, Hop, Rule
from loopguard.report import ReportContext, full, github, gitlab, jsonlines, junit, renderers, sarif
from loopguard.report.json_format import finding_to_dict

SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

RULES = {
    "LG101": Rule(
        code="LG101",
        name="blocking-sleep",
        domain="time",
        summary="`time.sleep` blocks the event loop",
        instead={"asyncio": "await asyncio.sleep(...)", "trio": "await trio.sleep(...)"},
        functions=("time.sleep",),
        why="The whole event loop stops for the duration of the sleep.",
        use_instead="await asyncio.sleep(1)",
    ),
    "LG201": Rule(
        code="LG201",
        name="blocking-http",
        domain="http",
        summary="`requests` blocks the event loop",
        instead={"asyncio": "httpx.AsyncClient"},
        functions=("requests.get",),
    ),
}

SOURCE = {
    ("app/api.py", 12): "    time.sleep(1)\n",
    ("app/api.py", 20): "        user = fetch_user(uid)\n",
    ("app/users.py", 7): "    return requests.get(url)\n",
}

DIRECT = Finding(
    path="app/api.py",
    line=12,
    column=5,
    end_line=12,
    end_column=18,
    code="LG101",
    name="blocking-sleep",
    message="`time.sleep` blocks the event loop",
    suggestion="await asyncio.sleep(...)",
)
TRANSITIVE = Finding(
    path="app/api.py",
    line=20,
    column=16,
    end_line=20,
    end_column=31,
    code="LG201",
    name="blocking-http",
    message="`fetch_user` calls `requests.get`, which blocks the event loop",
    suggestion="httpx.AsyncClient",
    chain=(
        Hop(path="app/api.py", line=20, column=16, function="handler", call="fetch_user"),
        Hop(path="app/users.py", line=7, column=12, function="fetch_user", call="requests.get"),
    ),
)
FILE_ERROR = Finding(
    path="app/broken.py",
    line=3,
    column=1,
    end_line=3,
    end_column=1,
    code="LG001",
    name="file-error",
    message="cannot parse: invalid syntax",
)
FINDINGS = (DIRECT, TRANSITIVE, FILE_ERROR)


def read_line(path: str, line: int) -> str:
    return SOURCE.get((path, line), "")


@pytest.fixture
def context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ReportContext:
    """A project rooted at a temporary directory that is also the working directory."""
    monkeypatch.chdir(tmp_path)
    return ReportContext(rules=RULES, version="0.1.0", root=tmp_path, read_line=read_line)


def test_renderers_keep_the_old_formats_and_add_the_new() -> None:
    names = renderers()
    assert {"text", "concise", "json"} <= set(names)
    assert names["full"] is full.render
    assert names["jsonlines"] is jsonlines.render
    assert names["github"] is github.render
    assert names["sarif"] is sarif.render
    assert names["gitlab"] is gitlab.render
    assert names["junit"] is junit.render


# --- full ----------------------------------------------------------------------------------------


def test_full_renders_header_source_carets_and_help(context: ReportContext) -> None:
    assert full.render([DIRECT], context) == (
        "app/api.py:12:5: LG101 `time.sleep` blocks the event loop\n"
        "   |\n"
        "12 |     time.sleep(1)\n"
        "   |     ^^^^^^^^^^^^^\n"
        "   |\n"
        "help: use `await asyncio.sleep(...)`\n"
    )


def test_full_carets_cover_column_to_end_column_exclusive(context: ReportContext) -> None:
    lines = full.render([TRANSITIVE], context).splitlines()
    source, carets = lines[2], lines[3]
    start, end = carets.index("^"), carets.rindex("^") + 1
    assert source[start:end] == "fetch_user(uid)"


def test_full_lists_each_hop_of_a_transitive_finding(context: ReportContext) -> None:
    lines = full.render([TRANSITIVE], context).splitlines()
    assert lines[-2:] == [
        "  -> handler() calls `fetch_user` (app/api.py:20:16)",
        "  -> fetch_user() calls `requests.get` (app/users.py:7:12)",
    ]


def test_full_underlines_to_end_of_line_when_the_finding_spans_lines(
    context: ReportContext,
) -> None:
    spanning = replace(DIRECT, end_line=14, end_column=2)
    carets = full.render([spanning], context).splitlines()[3]
    assert carets == "   |     " + "^" * len("time.sleep(1)")


def test_full_aligns_carets_after_tabs(context: ReportContext) -> None:
    tabbed = ReportContext(
        rules=RULES,
        version="0.1.0",
        root=context.root,
        read_line=lambda path, line: "\tx = open(p)\n",
    )
    finding = replace(DIRECT, line=3, column=6, end_line=3, end_column=13)
    lines = full.render([finding], tabbed).splitlines()
    source, carets = lines[2], lines[3]
    start, end = carets.index("^"), carets.rindex("^") + 1
    assert source[start:end] == "open(p)"


def test_full_without_source_shows_header_only(context: ReportContext) -> None:
    assert full.render([FILE_ERROR], context) == (
        "app/broken.py:3:1: LG001 cannot parse: invalid syntax\n"
    )


def test_full_separates_findings_with_a_blank_line(context: ReportContext) -> None:
    blocks = full.render(FINDINGS, context).split("\n\n")
    assert len(blocks) == 3
    assert blocks[1].startswith("app/api.py:20:16: LG201 ")


def test_full_colour_only_when_asked(context: ReportContext) -> None:
    plain = full.render(FINDINGS, context)
    assert "\x1b" not in plain
    coloured = full.render(FINDINGS, replace(context, color=True))
    assert "\x1b[1;31mLG101\x1b[0m" in coloured
    assert ANSI.sub("", coloured) == plain


def test_full_of_nothing_is_empty(context: ReportContext) -> None:
    assert full.render([], context) == ""


# --- jsonlines -----------------------------------------------------------------------------------


def test_jsonlines_is_one_json_finding_per_line(context: ReportContext) -> None:
    lines = jsonlines.render(FINDINGS, context).splitlines()
    assert [json.loads(line) for line in lines] == [finding_to_dict(f) for f in FINDINGS]
    assert json.loads(lines[1])["chain"][1]["call"] == "requests.get"
    assert jsonlines.render([], context) == ""


# --- github --------------------------------------------------------------------------------------


def test_github_annotation_line(context: ReportContext) -> None:
    assert github.render([DIRECT, FILE_ERROR], context).splitlines() == [
        (
            "::error file=app/api.py,line=12,col=5,endLine=12,endColumn=18,title=LG101"
            "::LG101 `time.sleep` blocks the event loop; use `await asyncio.sleep(...)`"
        ),
        (
            "::error file=app/broken.py,line=3,col=1,endLine=3,endColumn=1,title=LG001"
            "::LG001 cannot parse: invalid syntax"
        ),
    ]


def test_github_escapes_like_the_actions_toolkit(context: ReportContext) -> None:
    odd = replace(
        FILE_ERROR,
        path="dir,1:2/100%.py",
        message="50% done: a, b\r\nnext",
        severity="warning",
    )
    assert github.render([odd], context) == (
        "::warning file=dir%2C1%3A2/100%25.py,line=3,col=1,endLine=3,endColumn=1,title=LG001"
        "::LG001 50%25 done: a, b%0D%0Anext\n"
    )


def test_github_property_escaping_covers_separators() -> None:
    assert github.escape_property("a%b:c,d\re\nf") == "a%25b%3Ac%2Cd%0De%0Af"
    assert github.escape_data("a%b:c,d\re\nf") == "a%25b:c,d%0De%0Af"


# --- sarif ---------------------------------------------------------------------------------------


def validate_sarif(log: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]
    assert errors == []


def render_sarif(findings: Any, context: ReportContext) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(sarif.render(findings, context))
    return log


def test_sarif_schema_is_the_official_one() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["id"] == (
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    )
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"


@pytest.mark.parametrize("findings", [FINDINGS, ()], ids=["findings", "empty"])
def test_sarif_validates_against_the_schema(findings: Any, context: ReportContext) -> None:
    validate_sarif(render_sarif(findings, context))


def test_sarif_schema_catches_a_broken_log(context: ReportContext) -> None:
    log = render_sarif(FINDINGS, context)
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    with pytest.raises(AssertionError):
        validate_sarif(log)


def test_sarif_run_describes_tool_and_root(context: ReportContext) -> None:
    log = render_sarif(FINDINGS, context)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("loopguard", "0.1.0")
    assert driver["informationUri"] == "https://github.com/loopguard/loopguard"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == context.root.as_uri() + "/"


def test_sarif_rules_describe_the_catalogue(context: ReportContext) -> None:
    rules = render_sarif(FINDINGS, context)["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["LG101", "LG201", "LG001"]
    sleep = rules[0]
    assert sleep["name"] == "blocking-sleep"
    assert sleep["shortDescription"]["text"] == "`time.sleep` blocks the event loop"
    assert sleep["fullDescription"]["text"].startswith("The whole event loop stops")
    assert sleep["help"]["text"] == "Use instead: await asyncio.sleep(1)"
    assert (
        sleep["helpUri"] == "https://github.com/loopguard/loopguard/blob/main/docs/rules/LG101.md"
    )
    assert sleep["defaultConfiguration"]["level"] == "error"
    http = rules[1]
    assert http["fullDescription"]["text"] == http["shortDescription"]["text"]
    assert http["help"]["text"] == "Use instead: httpx.AsyncClient"
    assert rules[2]["name"] == "file-error"


def test_sarif_results_point_at_their_rule_and_region(context: ReportContext) -> None:
    run = render_sarif(FINDINGS, context)["runs"][0]
    rules, results = run["tool"]["driver"]["rules"], run["results"]
    assert [r["ruleId"] for r in results] == ["LG101", "LG201", "LG001"]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    first = results[0]
    assert first["level"] == "error"
    assert first["message"]["text"] == (
        "`time.sleep` blocks the event loop; use `await asyncio.sleep(...)`"
    )
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "app/api.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 12, "startColumn": 5, "endLine": 12, "endColumn": 18}
    assert "codeFlows" not in first


def test_sarif_transitive_finding_has_a_code_flow(context: ReportContext) -> None:
    result = render_sarif([TRANSITIVE], context)["runs"][0]["results"][0]
    steps = result["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [s["location"]["message"]["text"] for s in steps] == [
        "handler() calls fetch_user",
        "fetch_user() calls requests.get",
    ]
    last = steps[1]["location"]["physicalLocation"]
    assert last["artifactLocation"]["uri"] == "app/users.py"
    assert last["region"] == {"startLine": 7, "startColumn": 12}


def fingerprint_of(finding: Finding, context: ReportContext) -> str:
    result = render_sarif([finding], context)["runs"][0]["results"][0]
    value: str = result["partialFingerprints"]["loopguardFingerprint/v1"]
    return value


def test_sarif_fingerprint_survives_the_code_moving(context: ReportContext) -> None:
    moved_source = {("app/api.py", 40): SOURCE[("app/api.py", 12)]}
    moved_context = replace(
        context, read_line=lambda path, line: moved_source.get((path, line), "")
    )
    moved = replace(DIRECT, line=40, end_line=40)
    assert fingerprint_of(moved, moved_context) == fingerprint_of(DIRECT, context)
    assert fingerprint_of(TRANSITIVE, context) != fingerprint_of(DIRECT, context)


def test_sarif_uris_are_relative_to_the_root_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sub dir").mkdir()
    monkeypatch.chdir(tmp_path / "sub dir")
    context = ReportContext(rules=RULES, version="0.1.0", root=tmp_path)
    outside = tmp_path.parent / "elsewhere.py"
    log = render_sarif([DIRECT, replace(DIRECT, path=str(outside))], context)
    validate_sarif(log)
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"] for r in log["runs"][0]["results"]
    ]
    assert uris[0] == {"uri": "sub%20dir/app/api.py", "uriBaseId": "%SRCROOT%"}
    assert uris[1] == {"uri": outside.as_uri()}


# --- gitlab --------------------------------------------------------------------------------------


def test_gitlab_code_quality_issues(context: ReportContext) -> None:
    issues = json.loads(gitlab.render(FINDINGS, context))
    assert issues[0] == {
        "description": "LG101 `time.sleep` blocks the event loop",
        "check_name": "LG101",
        "fingerprint": issues[0]["fingerprint"],
        "severity": "major",
        "location": {"path": "app/api.py", "lines": {"begin": 12}},
    }
    assert re.fullmatch("[0-9a-f]{32}", issues[0]["fingerprint"])
    assert [i["check_name"] for i in issues] == ["LG101", "LG201", "LG001"]
    warning = json.loads(gitlab.render([replace(DIRECT, severity="warning")], context))
    assert warning[0]["severity"] == "minor"


def test_gitlab_fingerprints_are_unique_and_stable(context: ReportContext) -> None:
    twin = replace(DIRECT, column=20, end_column=30)  # same file, code, message and line text
    findings = [DIRECT, twin, TRANSITIVE, FILE_ERROR]
    first = [i["fingerprint"] for i in json.loads(gitlab.render(findings, context))]
    second = [i["fingerprint"] for i in json.loads(gitlab.render(findings, context))]
    assert first == second
    assert len(set(first)) == len(findings)


# --- junit ---------------------------------------------------------------------------------------


def parse_junit(text: str) -> ET.Element:
    """Parse the whole document, declaration included, as a CI server would read the file."""
    return ET.fromstring(text.encode("utf-8"))


def test_junit_one_testcase_per_finding(context: ReportContext) -> None:
    text = junit.render(FINDINGS, context)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    report = parse_junit(text)
    assert report.tag == "testsuites" and report.get("name") == "loopguard"
    suites = report.findall("testsuite")
    assert [s.get("name") for s in suites] == ["app/api.py", "app/broken.py"]
    cases = suites[0].findall("testcase")
    assert [(c.get("name"), c.get("classname"), c.get("line"), c.get("column")) for c in cases] == [
        ("loopguard.LG101", "app/api", "12", "5"),
        ("loopguard.LG201", "app/api", "20", "16"),
    ]
    failure = cases[0].find("failure")
    assert failure is not None and failure.get("type") == "LG101"
    assert failure.get("message") == "`time.sleep` blocks the event loop"
    assert failure.text == (
        "app/api.py:12:5: `time.sleep` blocks the event loop; use `await asyncio.sleep(...)`"
    )
    error = suites[1].find("testcase/error")
    assert error is not None and error.get("type") == "LG001"
    assert error.text == "app/broken.py:3:1: cannot parse: invalid syntax"
    assert (report.get("tests"), report.get("failures"), report.get("errors")) == ("3", "2", "1")


def test_junit_counts_match_the_elements(context: ReportContext) -> None:
    report = parse_junit(junit.render(FINDINGS, context))
    for element in (report, *report.findall("testsuite")):
        cases = element.findall(".//testcase")
        assert int(element.get("tests", "")) == len(cases)
        assert int(element.get("failures", "")) == sum(1 for c in cases if c.find("failure") is not None)
        assert int(element.get("errors", "")) == sum(1 for c in cases if c.find("error") is not None)


def test_junit_without_findings_is_one_passing_testcase(context: ReportContext) -> None:
    report = parse_junit(junit.render([], context))
    cases = report.findall(".//testcase")
    assert len(cases) == 1 and list(cases[0]) == []
    assert (report.get("tests"), report.get("failures"), report.get("errors")) == ("1", "0", "0")


def test_junit_survives_control_characters(context: ReportContext) -> None:
    nasty = replace(DIRECT, message="bad \x00 byte \x1b[31m")
    suite = parse_junit(junit.render([nasty], context))
    failure = suite.find(".//testcase/failure")
    assert failure is not None and "\x00" not in (failure.get("message") or "")


ROOT_PROJECT = {
    "app/__init__.py": "",
    "app/helpers.py": "import requests\n\n\ndef fetch():\n    return requests.get('u')\n",
    "app/api.py": (
        "import time\n\nfrom app.helpers import fetch\n\n\nasync def a():\n    fetch()\n\n\n"
        "async def b():\n    fetch()\n\n\nasync def c():\n    fetch()\n    time.sleep(1)\n"
    ),
}


def test_every_finding_names_its_root_and_the_summary_the_shared_ones(project) -> None:
    from click.testing import CliRunner

    from loopguard.cli import cli

    project(ROOT_PROJECT)
    found = json.loads(CliRunner().invoke(cli, ["check", "--no-cache", "--output-format", "json"]).stdout)
    assert [f["root"] for f in found] == ["app/helpers.py:5 requests.get"] * 3 + ["app/api.py:16 time.sleep"]
    text = CliRunner().invoke(cli, ["check", "--no-cache", "--output-format", "concise"]).stdout
    assert text.splitlines()[-2] == "One cause, one fix: 3 go through app/helpers.py:5 requests.get."
    table = CliRunner().invoke(cli, ["check", "--no-cache", "--statistics"]).stdout
    assert "Shared causes" in table and "3\tapp/helpers.py:5 requests.get" in table
