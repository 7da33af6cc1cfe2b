"""Every rule's documented example is a test: it gets exactly its rule, and "use instead" gets nothing.

As in Fixit, the snippets on the docs pages (docs/rules/) are the catalogue's ``example`` and
``use_instead``, so a page cannot show an example loopguard does not catch. Each snippet is a complete
module (imports included; a name loopguard cannot resolve stays silent by design), written to a
temporary project and checked through the library entry point, ``runner.check_paths``.

Rules that need more than a module:

* opt-in rules (``default_enabled=False``: LG011, the LG9xx CPU rules) and LG801 (calls the project
  declares blocking) carry ``example_config``, the ``pyproject.toml`` their page shows; it is written
  next to the snippet and read with ``load_config``, the way a user's file is.
* LG001 (a file that cannot be parsed) is the tool's own finding, not a catalogue match: its example is
  a module with a syntax error and its "use instead" the corrected module, so the same two checks apply.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import findings_of

from loopguard.catalogue import ALL_RULES, FILE_ERROR
from loopguard.config import Config, load_config
from loopguard.models import Rule

RULES = sorted(ALL_RULES.values(), key=lambda rule: rule.code)
CONFIGURED_RULES = [rule for rule in RULES if rule.example_config]


def codes_found(root: Path, snippet: str, config_text: str) -> list[str]:
    """The codes loopguard reports on ``snippet`` as a module of a project configured by ``config_text``."""
    module = root / "example.py"
    module.write_text(snippet + "\n", encoding="utf-8")
    config = Config(root=root)
    if config_text:
        settings = root / "pyproject.toml"
        settings.write_text(config_text + "\n", encoding="utf-8")
        config = load_config(settings)
    return [finding.code for finding in findings_of(module, config=config, cwd=root)]


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_example_gets_exactly_its_rule(rule: Rule, tmp_path: Path) -> None:
    found = codes_found(tmp_path, rule.example, rule.example_config)
    assert found, f"{rule.code}: its example is not reported"
    assert set(found) == {rule.code}, f"{rule.code}: its example also gets other codes"


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_use_instead_gets_nothing(rule: Rule, tmp_path: Path) -> None:
    assert codes_found(tmp_path, rule.use_instead, rule.example_config) == []


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_snippets_are_python(rule: Rule) -> None:
    """Both snippets compile (a reader copies them), except LG001's example, which must not."""
    compile(rule.use_instead, f"{rule.code} use_instead", "exec")
    if rule is FILE_ERROR:
        with pytest.raises(SyntaxError):
            compile(rule.example, f"{rule.code} example", "exec")
    else:
        compile(rule.example, f"{rule.code} example", "exec")


def test_opt_in_rules_show_the_configuration_that_selects_them() -> None:
    opt_in = [rule.code for rule in RULES if not rule.default_enabled]
    assert opt_in
    assert [code for code in opt_in if not ALL_RULES[code].example_config] == []


@pytest.mark.parametrize("rule", CONFIGURED_RULES, ids=lambda rule: rule.code)
def test_example_config_is_what_makes_the_example_reported(rule: Rule, tmp_path: Path) -> None:
    """Without its configuration the example is silent: the page's TOML is needed, not decoration."""
    assert rule.code not in codes_found(tmp_path, rule.example, "")
