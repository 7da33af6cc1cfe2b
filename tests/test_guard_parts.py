"""``guards.parts_of``: a guard and every guard inside it, in preorder (the index reads each test's
names through it, planning each guard's helper results)."""

from __future__ import annotations

from typing import Any

import pytest

from loopguard.analysis.guards import decidable_names, names_in, parts_of

NAME = ("name", "kind")
CONST = ("const", "gpu")
COMPARED = ("cmp", "==", NAME, CONST)


def nested_parts(guard: Any) -> list[Any]:
    """The same walk written plainly: each kind's parts by position, recursively."""
    inside: tuple[Any, ...] = ()
    if guard[0] == "not" and len(guard) == 2:
        inside = (guard[1],)
    elif guard[0] in ("and", "or"):
        inside = guard[1:]
    elif guard[0] == "cmp" and len(guard) == 4:
        inside = guard[2:]
    elif guard[0] == "method" and len(guard) == 4:
        inside = (guard[1], guard[3])
    elif guard[0] == "if" and len(guard) == 4:
        inside = guard[1:]
    elif guard[0] in ("isinstance", "len"):
        inside = (guard[1],)
    return [guard, *(part for inner in inside for part in nested_parts(inner))]


@pytest.mark.parametrize(
    "guard",
    [
        NAME,
        CONST,
        ("loop",),
        ("unknown",),
        ("result", "app.helpers:12:4"),
        ("enum", "app.kinds.Kind.GPU"),
        ("fact", "exists({name})", (("name", 1, 0),), True),
        COMPARED,
        ("not", COMPARED),
        ("and", COMPARED, ("or", ("name", "a"), ("not", ("name", "b"))), ("loop",)),
        ("method", ("name", "path"), "startswith", ("const", "env/")),
        ("if", ("name", "a"), ("const", 1), ("len", ("name", "b"))),
        ("isinstance", ("name", "x"), ("builtins.str",)),
        ("cmp", "<", ("len", ("method", NAME, "split", ("const", "/"))), ("const", 2)),
    ],
)
def test_a_guard_and_every_guard_inside_it_in_preorder(guard: Any) -> None:
    assert parts_of(guard) == nested_parts(guard)


def test_the_names_of_a_guard_are_read_through_its_parts() -> None:
    guard = ("and", COMPARED, ("not", ("name", "self.verify")), ("isinstance", ("name", "x"), ("builtins.str",)))
    assert names_in(guard) == {"kind", "self.verify", "x"}
    assert decidable_names(guard) == frozenset({"kind", "self.verify", "x"})
    assert decidable_names(("cmp", "==", CONST, ("const", 1))) is None  # no name in it: never decided
