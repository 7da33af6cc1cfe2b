"""Literals a test pins a name or a mapping's key to: ``if kind != "redis": return`` makes ``kind``
the string ``"redis"`` for the rest of the block, and ``if settings.get("type") != "redis":
return`` makes ``Cache(**settings)`` pass ``type="redis"``.

The index keeps these where the test's answer holds, as it keeps ``isinstance`` narrowings
(narrowing.py: the same regions, the same scopes), and a call made there passes the literal for
that argument (``literals.literal_arguments``), so the helper's branches on it are decided as if
the caller had written the literal.

What a test pins, and why it is sound:

* ``x == "lit"`` (true) and ``x != "lit"`` (false), either side, for a string literal: ``x`` then
  equals that string. Only strings: ``x == 1`` holds for ``True`` and ``1.0`` too, which a helper
  may tell apart from ``1``; a ``str`` subclass equal to the string compares as the string in the
  helper too.
* ``x is None`` (true), ``x is not None`` (false), ``x is True``/``x is False``: ``x`` is that
  object.
* the subject is a plain name, ``m["key"]`` or ``m.get("key")`` (one argument: the default
  ``None`` is not the string) with a string key; ``m.get("key", default)`` only when the default
  is not the literal (else the key may be absent and the parameter left to its own default).
  A key is pinned only to a string: ``m.get("k") is None`` also holds when the key is absent.
* a name that the region binds again is not pinned; a mapping is not pinned where the region
  uses it any way but reading it (narrowing.holding_throughout) (``m[k]``, ``m.get``/``keys``/``values``/
  ``items``/``copy``, ``**m``, a comparison): a call it is passed to, an alias or a method may change
  it.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from typing import Final, TypeAlias, TypeVar

K = TypeVar("K")
V = TypeVar("V")

#: A pinned value: a string, None, or a bool
Pinned: TypeAlias = "str | bool | None"
#: (name, None) for the name itself, (name, key) for ``name[key]`` / ``name.get(key)``
Subject: TypeAlias = tuple[str, "str | None"]
Equalities: TypeAlias = dict[Subject, Pinned]

#: Methods that read a mapping without changing it
READING_METHODS: Final = frozenset({"get", "keys", "values", "items", "copy", "__contains__", "__getitem__"})


def equalities(test: ast.expr) -> tuple[Equalities, Equalities]:
    """What ``test`` pins where it is true, and where it is false."""
    return by_answer(test, compared)


def by_answer(
    test: ast.expr, leaf: Callable[[ast.expr], tuple[dict[K, V], dict[K, V]]]
) -> tuple[dict[K, V], dict[K, V]]:
    """What ``leaf`` says of the simple tests in ``test`` (where each is true, where it is false),
    for the whole test: through ``not``, and ``and``/``or`` (where all hold, all that they say)."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        when_true, when_false = by_answer(test.operand, leaf)
        return when_false, when_true
    if isinstance(test, ast.BoolOp):
        parts = [by_answer(value, leaf) for value in test.values]
        if isinstance(test.op, ast.And):  # all true: what each says where it is true holds
            return agreed(true for true, _false in parts), {}
        return {}, agreed(false for _true, false in parts)  # all false
    return leaf(test)


def compared(test: ast.expr) -> tuple[Equalities, Equalities]:
    """``subject == "lit"``, ``subject != "lit"``, ``subject is None`` and the like."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return {}, {}
    op, left, right = test.ops[0], test.left, test.comparators[0]
    if isinstance(left, ast.Constant) and not isinstance(right, ast.Constant):
        left, right = right, left
    if not isinstance(right, ast.Constant):
        return {}, {}
    value = right.value
    if isinstance(op, (ast.Eq, ast.NotEq)) and isinstance(value, str):
        subject = subject_of(left, value)
    elif isinstance(op, (ast.Is, ast.IsNot)) and (value is None or isinstance(value, bool)):
        subject = subject_of(left, value)
        if subject is not None and subject[1] is not None:
            subject = None  # ``m.get("k") is None`` also holds for a missing key
    else:
        return {}, {}
    if subject is None:
        return {}, {}
    pinned: Equalities = {subject: value}
    return (pinned, {}) if isinstance(op, (ast.Eq, ast.Is)) else ({}, pinned)


def subject_of(node: ast.expr, value: Pinned) -> Subject | None:
    """The name, or the mapping and key, a comparison with ``value`` tests."""
    if isinstance(node, ast.Name):
        return (node.id, None)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return (node.value.id, key.value)
        return None
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"):
        return None
    mapping, arguments = node.func.value, node.args
    if not isinstance(mapping, ast.Name) or node.keywords or not 1 <= len(arguments) <= 2:
        return None
    key = arguments[0]
    if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
        return None
    if len(arguments) == 2:
        default = arguments[1]
        if not isinstance(default, ast.Constant) or default.value == value:
            return None  # the default may be what is compared: the key may be absent
    return (mapping.id, key.value)


def agreed(facts: Iterable[dict[K, V]]) -> dict[K, V]:
    """What several tests that all hold say together; a subject they say two things of is left out
    (two values: the test cannot be true; two classes: one is a subclass of the other, or a class
    of both, either way not one known type)."""
    result: dict[K, V] = {}
    conflicting: set[K] = set()
    for mapping in facts:
        for subject, value in mapping.items():
            if subject in result and result[subject] != value:
                conflicting.add(subject)
            result[subject] = value
    return {subject: value for subject, value in result.items() if subject not in conflicting}


def pinned_argument(node: ast.expr, pinned: Equalities) -> tuple[bool, Pinned]:
    """(whether known, the value) of an argument the pins give: a name, or ``m["k"]``/``m.get("k")``."""
    if isinstance(node, ast.Name):
        subject: Subject | None = (node.id, None)
    elif isinstance(node, (ast.Subscript, ast.Call)):
        subject = subject_of(node, None)  # a ``get`` with a default is left to subject_of's rule
    else:
        return False, None
    if subject is None or subject not in pinned:
        return False, None
    return True, pinned[subject]


def pinned_items(mapping: ast.expr, pinned: Equalities) -> list[tuple[str, Pinned]]:
    """The keywords ``**mapping`` passes with a pinned value (keys that are identifiers)."""
    if not isinstance(mapping, ast.Name):
        return []
    return [
        (key, value)
        for (name, key), value in pinned.items()
        if name == mapping.id and key is not None and key.isidentifier()
    ]
