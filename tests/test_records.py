"""Fields of a constant table's entries (records.py) and tests passed on as arguments (flags.py).
The end-to-end cases, true and near misses, are tests/fixtures/precision_constant_records.py."""

from __future__ import annotations

import ast
from typing import Any

import pytest

from loopguard.analysis.flags import TESTED, with_tested_arguments
from loopguard.analysis.flags import tested_value as value_given
from loopguard.analysis.guards import guard_of
from loopguard.analysis.index import index_module
from loopguard.models import NOT_LITERAL

SOURCE = """
import dataclasses
from types import MappingProxyType

@dataclasses.dataclass(frozen=True)
class Plan:
    endpoint: str
    sync: bool = False
    named: tuple = ()

PLANS = MappingProxyType({"a": Plan("a"), "b": Plan("b", sync=True), "c": Plan("c", True, ("x",))})

def f(plan, other):
    pass

def caller():
    f(PLANS["a"], other=PLANS["b"])
    f(PLANS["missing"], PLANS[name])
"""


def literals_of_calls(source: str, name: str) -> list[Any]:
    index = index_module(ast.parse(source), "app", "")
    return [call.literals for call in index.calls if call.func == ("name", name)]


def fields(literals: Any) -> dict[str, Any]:
    return {key: value for key, value in literals if isinstance(key, str) and "." in key}


def test_an_entry_gives_its_known_fields_by_position_and_keyword() -> None:
    given, missing = literals_of_calls(SOURCE, "f")
    assert fields(given) == {"0.endpoint": "a", "0.sync": False, "other.endpoint": "b", "other.sync": True}
    assert fields(missing) == {}


@pytest.mark.parametrize(
    "change",
    [
        "PLANS = {}",  # bound twice
        "Plan = dict",  # the class bound twice
        "del PLANS",
    ],
)
def test_a_table_or_class_bound_otherwise_gives_nothing(change: str) -> None:
    (given, _missing) = literals_of_calls(SOURCE + change + "\n", "f")
    assert fields(given) == {}


@pytest.mark.parametrize(
    "decorator",
    [
        "@dataclasses.dataclass",  # not frozen
        "@dataclasses.dataclass(frozen=True, kw_only=True)",
        "@dataclasses.dataclass(frozen=False)",
        "@dataclass(frozen=True)",  # a name not bound to dataclasses'
    ],
)
def test_only_a_frozen_dataclass_is_a_record_class(decorator: str) -> None:
    source = SOURCE.replace("@dataclasses.dataclass(frozen=True)", decorator)
    (given, _missing) = literals_of_calls(source, "f")
    assert fields(given) == {}


def test_a_plain_dict_is_not_a_table() -> None:
    source = SOURCE.replace('MappingProxyType({"a"', '({"a"')
    (given, _missing) = literals_of_calls(source, "f")
    assert fields(given) == {}


def call_of(code: str) -> ast.Call:
    statement = ast.parse(code).body[0]
    assert isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
    return statement.value


def test_a_test_given_as_an_argument_is_passed_as_its_guard_and_evaluated_by_the_caller() -> None:
    call = call_of("g(key, local_only=not (plan.sync or remote))")
    (tested,) = with_tested_arguments(call, (("local_only", NOT_LITERAL),), guard_of, ())
    assert tested[0] == "local_only" and tested[1][0] == TESTED
    assert value_given(tested[1], {"plan.sync": False, "remote": False}) is True
    assert value_given(tested[1], {"plan.sync": True}) is False
    assert value_given(tested[1], {"plan.sync": False}) == NOT_LITERAL  # ``remote`` unknown
