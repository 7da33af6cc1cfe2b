"""Every fixture in tests/fixtures/ carries its expected findings inline: ``# error: LG101``.

A marker may also pin a finding's column and the API it reports: ``# error: LG201@12 requests.get``
(see ``conftest.parse_marker``); both are checked when given.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import (
    FIXTURES,
    Expected,
    expected_findings,
    expected_markers,
    findings_of,
    parse_marker,
    unmatched_markers,
)

from loopguard.config import load_config
from loopguard.models import Finding, Hop

FIXTURE_FILES = sorted(p for p in FIXTURES.glob("*.py"))


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.name)
def test_fixture_findings_match_markers(fixture: Path) -> None:
    """A fixture with a sibling ``.toml`` is checked with that file as its configuration."""
    settings = fixture.with_suffix(".toml")
    config = load_config(settings, FIXTURES) if settings.exists() else None
    findings = findings_of(fixture, config=config, cwd=FIXTURES)
    assert sorted((f.line, f.code) for f in findings) == expected_markers(fixture)
    assert unmatched_markers(expected_findings(fixture), findings) == []


def test_every_fixture_has_markers() -> None:
    assert FIXTURE_FILES
    for fixture in FIXTURE_FILES:
        assert expected_markers(fixture), f"{fixture.name} expects nothing: add markers or near misses"


def test_some_fixture_markers_pin_columns_and_apis() -> None:
    """The detailed form is in use, so the check above is exercised on real findings."""
    markers = [e for fixture in FIXTURE_FILES for e in expected_findings(fixture)]
    assert sum(e.api is not None for e in markers) >= 5
    assert sum(e.column is not None for e in markers) >= 3


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("x()  # error: LG101", [Expected(7, "LG101")]),
        ("x()  # error: LG101, LG201", [Expected(7, "LG101"), Expected(7, "LG201")]),
        ("x()  # error: LG201 requests.get", [Expected(7, "LG201", api="requests.get")]),
        ("x()  # error: LG201@12", [Expected(7, "LG201", column=12)]),
        (
            "x()  # error: LG201@5 requests.Session.get, LG101 time.sleep",
            [Expected(7, "LG201", 5, "requests.Session.get"), Expected(7, "LG101", api="time.sleep")],
        ),
        ("# error: LG403 (transitive: get_conn() connects)", [Expected(7, "LG403")]),
        ("x()  # error: opt-in LG901", []),
        ("x()  # not a marker: LG101", []),
    ],
)
def test_parse_marker(comment: str, expected: list[Expected]) -> None:
    assert parse_marker(comment, 7) == expected


def finding(line: int, column: int, code: str, message: str, chain: tuple[Hop, ...] = ()) -> Finding:
    return Finding("f.py", line, column, line, column + 1, code, "name", message, chain=chain)


SLEEP = finding(3, 5, "LG101", "`time.sleep` blocks the event loop")
CHAIN = (Hop("f.py", 4, 5, "handler", "inner()"), Hop("f.py", 9, 12, "inner", "requests.get"))
THROUGH_INNER = finding(4, 5, "LG201", "`inner()` blocks the event loop: -> requests.get (f.py:9)", CHAIN)


@pytest.mark.parametrize(
    ("marker", "fits"),
    [
        (Expected(3, "LG101"), True),
        (Expected(3, "LG101", 5, "time.sleep"), True),
        (Expected(3, "LG101", column=6), False),
        (Expected(3, "LG101", api="asyncio.sleep"), False),
        (Expected(4, "LG201", 5, "requests.get"), True),  # a chain reports its last call
        (Expected(4, "LG201", api="inner"), False),
    ],
)
def test_markers_check_column_and_api_when_given(marker: Expected, fits: bool) -> None:
    assert (unmatched_markers([marker], [SLEEP, THROUGH_INNER]) == []) is fits


def test_a_bare_marker_leaves_the_finding_a_detailed_one_needs() -> None:
    """Two findings on one line: the specific marker is matched first, whatever the order written."""
    other = finding(3, 20, "LG101", "`time.sleep` blocks the event loop")
    markers = [Expected(3, "LG101"), Expected(3, "LG101", column=20)]
    assert unmatched_markers(markers, [other, SLEEP]) == []


def test_a_class_attribute_annotated_final_is_the_lock_it_aliases() -> None:
    """litellm W1: the reported acquire is the caller's ``with manager.lists_lock:``, which can
    wait, not the owner's re-entry of the same RLock in the helper it calls."""
    fixture = FIXTURES / "precision_final_annotation.py"
    [finding] = [f for f in findings_of(fixture, cwd=FIXTURES) if f.line == 58]
    assert finding.root == "precision_final_annotation.py:52 threading.RLock.__enter__"
    assert [hop.function for hop in finding.chain] == ["pre_call", "setup"]
