"""Qualified call name -> the catalogue entry (or configured blocking call) it is, if any."""

from __future__ import annotations

from dataclasses import dataclass, replace
from fnmatch import fnmatchcase

from loopguard.catalogue import CONFIGURED, RULES
from loopguard.models import Literal, Rule, built_type


@dataclass(frozen=True, slots=True)
class Match:
    rule: Rule
    api: str  # the qualified name that matched, for the message
    suggestion: str | None = None  # a configured replacement overrides the rule's
    note: str = ""  # the message instead of "blocks the event loop" (see ``NonWaiting.note``)

    @property
    def waits(self) -> bool:
        return not self.note


def with_arguments(found: Match | None, literals: tuple[Literal, ...]) -> Match | None:
    """``found`` as called with ``literals``: None when those arguments make it not wait (catalogue
    data: ``Rule.non_waiting``), or with the rule's note when it still deserves a word."""
    if found is None:
        return None
    condition = found.rule.does_not_wait(found.api, literals)
    if condition is None:
        return found
    return replace(found, note=condition.note) if condition.note else None


def named(key: str) -> str:
    """The API a finding names and the configuration matches: a method of a type built a
    particular way (``queue.Queue[unbounded].get``: catalogue ``BUILT_AS``) is the type's own."""
    owner, dot, method = key.rpartition(".")
    return built_type(owner) + dot + method if owner.endswith("]") else key


class Matcher:
    """Built once per run from the catalogue and the configuration; ``match`` is a dict lookup."""

    def __init__(
        self,
        rules: tuple[Rule, ...] = RULES,
        blocking_calls: tuple[tuple[str, str], ...] = (),
        safe_calls: tuple[str, ...] = (),
        report_configured: bool = True,
    ) -> None:
        """``report_configured``: whether LG801 is selected (a configured replacement still names
        the suggestion of a built-in rule's finding when it is not)."""
        self.report_configured = report_configured
        self.exact: dict[str, Rule] = {}
        self.any_method: dict[str, Rule] = {}  # "boto3.Client" -> rule for "boto3.Client.*"
        for rule in rules:
            for name in (*rule.functions, *rule.methods):
                if name.endswith(".*"):
                    self.any_method[name[:-2]] = rule
                else:
                    self.exact[name] = rule
        self.configured: dict[str, str] = {}
        self.configured_globs: list[tuple[str, str]] = []
        for name, replacement in blocking_calls:
            if any(ch in name for ch in "*?["):
                self.configured_globs.append((name, replacement))
            else:
                self.configured[name] = replacement
        self.safe = frozenset(n for n in safe_calls if not any(ch in n for ch in "*?["))
        self.safe_globs = tuple(n for n in safe_calls if any(ch in n for ch in "*?["))

    def match(self, key: str | None) -> Match | None:
        if key is None:
            return None
        api = named(key)
        if self.is_safe(api):
            return None
        builtin = self.builtin(key)
        replacement = self.configured_replacement(api)
        if builtin is not None:
            return Match(builtin, api, replacement)
        if replacement is not None and self.report_configured:
            return Match(CONFIGURED, api, replacement)
        return None

    def builtin(self, key: str) -> Rule | None:
        rule = self.exact.get(key)
        if rule is not None:
            return rule
        owner, _, method = key.rpartition(".")
        rule = self.any_method.get(owner)
        if rule is not None and not method.startswith("_") and method not in rule.safe_methods:
            return rule
        return None

    def configured_replacement(self, key: str) -> str | None:
        if key in self.configured:
            return self.configured[key]
        for pattern, replacement in self.configured_globs:
            if fnmatchcase(key, pattern):
                return replacement
        return None

    def is_safe(self, key: str) -> bool:
        if key in self.safe:
            return True
        # asked for every key planning matches: no generator when no pattern is configured
        return bool(self.safe_globs) and any(fnmatchcase(key, p) for p in self.safe_globs)
