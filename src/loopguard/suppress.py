"""Which findings the user asked not to see: select/ignore, per-file-ignores and ``# noqa``."""

from __future__ import annotations

import re

from loopguard.discovery.files import is_excluded
from loopguard.models import Rule

# flake8's grammar: "# noqa" alone silences the line, "# noqa: LG101,LG2" (comma or space
# separated, optional space after the colon) silences those codes and prefixes. A code has letters
# then digits, so the words of an explanation after the codes ("# noqa: LG201 slow on purpose") are
# not read as codes.
NOQA = re.compile(r"#\s*noqa(?::\s?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
UNSUPPRESSIBLE = frozenset({"LG001"})


def noqa_codes(comment: str) -> tuple[str, ...] | None:
    """None when the comment has no noqa; () for a bare noqa; else the listed codes/prefixes."""
    match = NOQA.search(comment)
    if match is None:
        return None
    codes = match.group("codes")
    if not codes:
        return ()
    return tuple(code.upper() for code in re.split(r"[,\s]+", codes) if code)


def silenced_by_noqa(code: str, comment: str | None) -> bool:
    if not comment or code in UNSUPPRESSIBLE:
        return False
    codes = noqa_codes(comment)
    if codes is None:
        return False
    return not codes or any(code.startswith(prefix) for prefix in codes)


def _longest_prefix(code: str, prefixes: tuple[str, ...]) -> int:
    return max((len(p) for p in prefixes if code.startswith(p)), default=-1)


def is_selected(rule: Rule, select: tuple[str, ...], ignore: tuple[str, ...]) -> bool:
    """ruff's rule: the most specific matching prefix wins, and ignore wins a tie.

    Opt-in rules (``default_enabled=False``, e.g. CPU-heavy calls) need a select prefix more
    specific than ``LG`` itself.
    """
    if rule.code in UNSUPPRESSIBLE:
        return True
    selected = _longest_prefix(rule.code, select)
    if selected < 0 or (not rule.default_enabled and selected <= 2):
        return False
    return selected > _longest_prefix(rule.code, ignore)


def per_file_ignored(code: str, relative: str, per_file: tuple[tuple[str, tuple[str, ...]], ...]) -> bool:
    if code in UNSUPPRESSIBLE:
        return False
    return any(
        is_excluded(relative, (pattern,)) and any(code.startswith(p) for p in codes)
        for pattern, codes in per_file
    )
