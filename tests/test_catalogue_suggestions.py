"""Every replacement text of the catalogue marks its own code: code in backticks, prose outside.

A finding ends with "; use <replacement>", and the text report, the language server's hover and
the rule pages only wrap a replacement in backticks when it has none, whole. So a text without
backticks would render prose as code ("use `httpx.AsyncClient or aiohttp.ClientSession`"); one
rule keeps that from happening: every text, even one that is a single piece of code, carries its
own backticks, checked here as a finding would show it (after "{api}" is substituted).
"""

from __future__ import annotations

import pytest

from loopguard.analysis.confirm import suggested_name
from loopguard.catalogue import ALL_RULES
from loopguard.models import LIBRARIES, Rule
from loopguard.report import quote_code

RULES = sorted(ALL_RULES.values(), key=lambda rule: rule.code)


def shown_texts(rule: Rule) -> dict[tuple[str, str], str]:
    """The replacement as findings show it, by (library, API that matched)."""
    apis = (*rule.functions, *rule.methods) or ("f",)
    return {
        (library, api): rule.suggestion(library).replace("{api}", suggested_name(api, rule.suggest_as))
        for library in LIBRARIES
        for api in apis
    }


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_every_replacement_text_contains_its_own_backticks(rule: Rule) -> None:
    texts = {key: text for key, text in shown_texts(rule).items() if text}  # "": no replacement
    assert [text for text in texts.values() if "`" not in text] == []
    # balanced: each code span opens and closes, so no prose is left inside an open one
    assert [text for text in texts.values() if text.count("`") % 2] == []
    # what every output format relies on: the text is shown as written, never wrapped whole
    assert [text for text in texts.values() if quote_code(text) != text] == []


def test_only_the_rules_without_any_replacement_have_an_empty_text() -> None:
    """A rule either has a replacement for every library or none at all (the tool's own LG001 and
    LG021, whose messages say what to do): an empty text above is never one library's gap."""
    partial = [
        rule.code
        for rule in RULES
        if any(rule.suggestion(lib) for lib in LIBRARIES)
        and not all(rule.suggestion(lib) for lib in LIBRARIES)
    ]
    assert partial == []
