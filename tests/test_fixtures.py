"""Every fixture in tests/fixtures/ carries its expected findings inline: ``# error: LG101``."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, expected_markers, findings_of

from loopguard.config import load_config

FIXTURE_FILES = sorted(p for p in FIXTURES.glob("*.py"))


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.name)
def test_fixture_findings_match_markers(fixture: Path) -> None:
    """A fixture with a sibling ``.toml`` is checked with that file as its configuration."""
    settings = fixture.with_suffix(".toml")
    config = load_config(settings, FIXTURES) if settings.exists() else None
    found = [(f.line, f.code) for f in findings_of(fixture, config=config, cwd=FIXTURES)]
    assert sorted(found) == expected_markers(fixture)


def test_every_fixture_has_markers() -> None:
    assert FIXTURE_FILES
    for fixture in FIXTURE_FILES:
        assert expected_markers(fixture), f"{fixture.name} expects nothing: add markers or near misses"
