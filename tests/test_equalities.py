"""What a test pins a name or a mapping's key to (equalities.py), and where the pin stops holding
(narrowing.holding_throughout). The end-to-end cases are tests/fixtures/precision_pinned_literals.py."""

from __future__ import annotations

import ast

import pytest

from loopguard.analysis.equalities import equalities
from loopguard.analysis.narrowing import holding_throughout


def parsed_test(code: str) -> ast.expr:
    statement = ast.parse(code).body[0]
    assert isinstance(statement, ast.Expr)
    return statement.value


@pytest.mark.parametrize(
    ("test", "when_true", "when_false"),
    [
        ('kind == "redis"', {("kind", None): "redis"}, {}),
        ('kind != "redis"', {}, {("kind", None): "redis"}),
        ('"redis" == kind', {("kind", None): "redis"}, {}),
        ('not kind == "redis"', {}, {("kind", None): "redis"}),
        ("path is None", {("path", None): None}, {}),
        ("path is not None", {}, {("path", None): None}),
        ("flag is True", {("flag", None): True}, {}),
        ('s.get("type") != "redis"', {}, {("s", "type"): "redis"}),
        ('s["type"] == "redis"', {("s", "type"): "redis"}, {}),
        ('s.get("type", "local") == "redis"', {("s", "type"): "redis"}, {}),
        # the default may be what is compared: the key may be absent
        ('s.get("type", "redis") == "redis"', {}, {}),
        # a missing key also gives None
        ('s.get("type") is None', {}, {}),
        # only strings: 1 == True == 1.0
        ("count == 1", {}, {}),
        ('a == "x" and b == "y"', {("a", None): "x", ("b", None): "y"}, {}),
        ('a != "x" or b != "y"', {}, {("a", None): "x", ("b", None): "y"}),
        ('a == "x" or b == "y"', {}, {}),
        ('a == "x" and a == "y"', {}, {}),
        ('a < "x"', {}, {}),
        ('a == "x" == b', {}, {}),
        ('obj.kind == "x"', {}, {}),
    ],
)
def test_what_a_test_pins_when_true_and_when_false(test: str, when_true: dict, when_false: dict) -> None:
    assert equalities(parsed_test(test)) == (when_true, when_false)


@pytest.mark.parametrize(
    ("region", "kept"),
    [
        ("Cache(**s)\nf(s['type'], s.get('x'), list(s.items()))\nif s == {}: pass", {"s", "k"}),
        ("k = other", {"s"}),
        ("s['type'] = 's3'", {"k"}),
        ("del s['type']", {"k"}),
        ("s.update(type='s3')", {"k"}),
        ("mutate(s)", {"k"}),
        ("alias = s", {"k"}),
        ("for k in names: pass", {"s"}),
    ],
)
def test_where_a_pin_stops_holding(region: str, kept: set) -> None:
    pinned = {("s", "type"): "redis", ("k", None): "x"}
    held = holding_throughout(pinned, ast.parse(region).body)
    assert {name for name, _key in held} == kept
