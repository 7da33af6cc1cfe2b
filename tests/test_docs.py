"""Docs generated from the catalogue stay in step with it; every code is tested and announced."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from loopguard.catalogue import ALL_RULES
from loopguard.ruledocs import expected_pages, rule_page

ROOT = Path(__file__).resolve().parents[1]
RULE_DOCS = ROOT / "docs" / "rules"
FIXTURES = ROOT / "tests" / "fixtures"


def test_rule_pages_are_up_to_date() -> None:
    stale = [
        name
        for name, text in expected_pages().items()
        if not (RULE_DOCS / name).exists() or (RULE_DOCS / name).read_text(encoding="utf-8") != text
    ]
    assert not stale, f"regenerate with `python -m loopguard.ruledocs`: {stale}"
    extra = {p.name for p in RULE_DOCS.glob("*.md")} - set(expected_pages())
    assert not extra, f"pages for codes that no longer exist: {sorted(extra)}"


@pytest.mark.parametrize("code", sorted(ALL_RULES))
def test_every_code_has_a_fixture_a_page_and_a_changelog_line(code: str) -> None:
    if code not in ("LG001",):  # LG001 is exercised by the CLI tests (syntax errors, bad encodings)
        markers = "\n".join(p.read_text(encoding="utf-8") for p in FIXTURES.rglob("*.py"))
        assert re.search(rf"# error:[^\n]*\b{code}\b", markers), f"no fixture line expects {code}"
    assert (RULE_DOCS / f"{code}.md").exists()
    assert code in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), f"{code} missing from CHANGELOG.md"


def test_every_page_has_ruffs_sections() -> None:
    for rule in ALL_RULES.values():
        page = rule_page(rule)
        for section in ("## What it does", "## Why is this bad?", "## Use instead", "## Fix safety", "## Options"):
            assert section in page, (rule.code, section)
