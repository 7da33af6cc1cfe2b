"""What a method's receiver's exact class gives its guards (receivers.py). The end-to-end cases,
true and near misses, are tests/fixtures/precision_receiver_properties.py and
precision_receiver_attributes.py."""

from __future__ import annotations

import ast
from typing import Any

import pytest

from loopguard.analysis.guards import guard_of, needs_a_string_form
from loopguard.analysis.index import index_module
from loopguard.analysis.receivers import (
    BUILT,
    RECEIVER,
    SELF,
    STORES,
    construction_of,
    recorded_returns,
)


def guard(code: str) -> Any:
    statement = ast.parse(code).body[0]
    assert isinstance(statement, ast.Expr)
    return guard_of(statement.value)


@pytest.mark.parametrize(
    ("test", "expected"),
    [
        ('self.provider != "anthropic"', ("cmp", "!=", ("name", "self.provider"), ("const", "anthropic"))),
        ("not self.filters()", ("not", ("name", "self.filters()"))),
        ("plan.sync", ("name", "plan.sync")),
        # only a name's attribute, and a method called without arguments
        ("self.a.b", ("unknown",)),
        ("self.filters(1)", ("unknown",)),
        ("make().provider", ("unknown",)),
    ],
)
def test_a_guard_reads_an_attribute_path(test: str, expected: object) -> None:
    assert guard(test) == expected


def test_an_attribute_path_is_never_a_form_of_a_string() -> None:
    test = guard('self.name.startswith("oidc/")')
    assert not needs_a_string_form(((test, True),), {})


def calls_of(source: str, name: str) -> list[Any]:
    """The recorded literals of the calls of the method ``name``."""
    index = index_module(ast.parse(source), "app", "")
    return [call.literals for call in index.calls if call.func[-1] == name]


def mark(literals: Any) -> object:
    return next((value for key, value in literals if key == RECEIVER), None)


BUILT_SOURCE = """
class Selection:
    def __init__(self, kind):
        self.kind = kind
    def run(self):
        return self.step()
    def step(self):
        return 1

def once(kind):
    selection = Selection(kind)
    if kind == "pass":
        selection.run()

def twice(kind, other):
    selection = Selection(kind)
    selection = Selection(other)
    selection.run()

def looped(kind):
    selection = Selection(kind)
    for _ in range(2):
        selection.run()

def rebound_argument(kind, other):
    selection = Selection(kind)
    kind = other
    selection.run()
"""


def test_a_method_call_on_a_local_built_once_is_marked_with_its_class_and_construction() -> None:
    once, twice, looped, rebound = calls_of(BUILT_SOURCE, "run")
    assert mark(once) == (BUILT, "app.Selection")
    assert construction_of(once) == ((0, "pass"),)  # the literal the test pins ``kind`` to there
    assert mark(twice) is None
    assert mark(looped) is None
    assert construction_of(rebound) == ((0, ("?",)),)  # ``kind`` bound again since


def test_a_call_on_the_methods_own_receiver_is_marked_self() -> None:
    (step,) = calls_of(BUILT_SOURCE, "step")
    assert mark(step) == SELF


def parameters_of(source: str, qualname: str) -> Any:
    index = index_module(ast.parse(source), "app", "")
    scope = next(number for number, scope in enumerate(index.scopes) if scope.qualname == qualname)
    return index.parameters[scope]


STORES_SOURCE = """
from typing import Final

class Kept:
    def __init__(self, kind, model):
        self.model: Final = model
        self.kind = kind

class Conditional:
    def __init__(self, kind, quick):
        if quick:
            return
        self.kind = kind

class SetElsewhere:
    def __init__(self, kind):
        self.kind = kind
    def switch(self, kind):
        self.kind = kind

class Returning:
    @property
    def provider(self):
        return "anthropic"
    def cached(self):
        return self.client.fetch(1)
"""


@pytest.mark.parametrize(
    ("qualname", "stores"),
    [
        ("app.Kept.__init__", (("model", "model"), ("kind", "kind"))),
        ("app.Conditional.__init__", ()),
        ("app.SetElsewhere.__init__", ()),
    ],
)
def test_an_init_keeps_the_parameters_it_stores_for_good(qualname: str, stores: tuple[object, ...]) -> None:
    defaults = dict(parameters_of(STORES_SOURCE, qualname)[2])
    assert defaults.get(STORES, ()) == stores


def test_a_method_keeps_its_returns_only_when_each_is_understood() -> None:
    provider = recorded_returns(parameters_of(STORES_SOURCE, "app.Returning.provider"))
    assert [value for value, _conditions, _line in provider] == [("const", "anthropic")]
    assert recorded_returns(parameters_of(STORES_SOURCE, "app.Returning.cached")) == ()


GLOBAL_SOURCE = """
class Selection:
    def run(self):
        return 1

def declared_global():
    global selection
    selection = Selection()
    selection.run()

def shared_with_a_nested_function():
    selection = Selection()
    def swap():
        nonlocal selection
        selection = object()
    swap()
    selection.run()
"""


def test_a_local_another_scope_may_rebind_is_not_marked() -> None:
    assert [mark(literals) for literals in calls_of(GLOBAL_SOURCE, "run")] == [None, None]
