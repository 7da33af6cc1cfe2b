"""Types known through ``isinstance`` narrowing, ``typing.cast`` and tuple unpacking, and iteration
through names, across modules: the fixture
project tests/fixtures/narrowing_app carries its expectations inline, and the single-file cases
are tests/fixtures/types_known.py and iteration_names.py (checked by test_fixtures.py)."""

from __future__ import annotations

import ast

import pytest
from conftest import FIXTURES, project_findings, project_markers

from loopguard.analysis.narrowing import Walked, bound_names, narrowings, walked

APP = FIXTURES / "narrowing_app"


def app_findings():
    return project_findings(APP, "vault")


def test_every_marker_of_the_project_and_nothing_else() -> None:
    assert sorted((f.path, f.line, f.code) for f in app_findings()) == project_markers(APP)


def chain_of(line: int) -> list[tuple[str, int, str, str]]:
    [finding] = [f for f in app_findings() if f.path == "vault/handlers.py" and f.line == line]
    return [(h.path, h.line, h.function, h.call) for h in finding.chain]


def test_a_narrowed_parameter_two_modules_away_is_chained_through_the_narrowed_class() -> None:
    assert chain_of(11) == [
        ("vault/handlers.py", 11, "read_secret", "secret_from_manager()"),
        ("vault/lookup.py", 10, "secret_from_manager", "SecretsManager.sync_read_secret()"),
        ("vault/managers/aws.py", 11, "SecretsManager.sync_read_secret", "pathlib.Path.read_text"),
    ]


def test_an_early_raise_and_a_string_cast_narrow_the_rest_of_the_helper() -> None:
    assert chain_of(15)[1] == ("vault/lookup.py", 19, "checked_secret", "SecretsManager.sync_read_secret()")
    assert chain_of(19)[1] == ("vault/lookup.py", 23, "cast_secret", "SecretsManager.sync_read_secret()")


def test_narrowing_in_the_coroutine_itself_is_reported_at_the_method_call() -> None:
    [finding] = [f for f in app_findings() if f.line == 28]
    assert finding.message.startswith("`SecretsManager.sync_read_secret()` blocks the event loop")


def names(narrowed: dict) -> set[str]:
    return set(narrowed)


@pytest.mark.parametrize(
    ("test", "when_true", "when_false"),
    [
        ("isinstance(x, A)", {"x"}, set()),
        ("not isinstance(x, A)", set(), {"x"}),
        ("isinstance(x, A) and isinstance(y, B)", {"x", "y"}, set()),
        ("isinstance(x, A) or isinstance(y, B)", set(), set()),
        ("not (isinstance(x, A) or isinstance(y, B))", set(), set()),
        ("not isinstance(x, A) or not isinstance(y, B)", set(), {"x", "y"}),
        ("isinstance(x, A) and isinstance(x, B)", set(), set()),  # two classes: not one type
        ("isinstance(x, (A, B))", set(), set()),
        ("isinstance(x, (A,))", {"x"}, set()),
        ("isinstance(x := f(), A)", {"x"}, set()),
        ("isinstance(x.y, A)", set(), set()),
        ("isinstance(x, A, B)", set(), set()),
        ("builtins.isinstance(x, A)", set(), set()),
    ],
)
def test_what_a_test_narrows_when_true_and_when_false(test: str, when_true: set, when_false: set) -> None:
    true, false = narrowings(ast.parse(test, mode="eval").body)
    assert (names(true), names(false)) == (when_true, when_false)


@pytest.mark.parametrize(
    ("code", "bound"),
    [
        ("x = 1", {"x"}),
        ("for x in y: pass", {"x"}),
        ("with f() as x: pass", {"x"}),
        ("(x := 1)", {"x"}),
        ("import x", {"x"}),
        ("from m import y as x", {"x"}),
        ("def x(): pass", {"x"}),
        ("try: pass\nexcept E as x: pass", {"x"}),
        ("del x", {"x"}),
        ("global x", {"x"}),
        ("x.y = 1\nx[0] = 1\nprint(x)", set()),
        ("y = x", set()),
    ],
)
def test_which_names_a_region_binds_again(code: str, bound: set) -> None:
    assert bound_names(ast.parse(code).body, {"x"}) == bound


def test_a_region_is_walked_once_into_every_node_below_its_roots() -> None:
    """``walked`` gives what ``ast.walk`` of each root gives (each node once), and a region walked
    already is read as it is: the narrowings, pins, paths and mappings of a test share one walk."""
    region = ast.parse(
        "if isinstance(x, C):\n    y = [f(a) for a in x.items if a]\nwith open(p) as fh:\n    del fh\n"
        "match v:\n    case {'k': w, **rest}: pass\n"
    ).body
    nodes = walked(region)
    expected = [node for root in region for node in ast.walk(root)]
    assert sorted(map(id, nodes)) == sorted(map(id, expected))
    assert isinstance(nodes, Walked) and walked(nodes) is nodes
    assert bound_names(nodes, {"y", "fh", "w", "rest", "x"}) == bound_names(region, {"y", "fh", "w", "rest", "x"})


def test_iteration_and_unpacking_in_a_helper_two_modules_away_are_chained() -> None:
    assert chain_of(33) == [
        ("vault/handlers.py", 33, "rows", "all_rows()"),
        ("vault/storage/rows.py", 9, "all_rows", "sqlite3.Cursor.__iter__"),
    ]
    assert chain_of(34)[-1] == ("vault/storage/rows.py", 13, "first_line", "typing.TextIO.__iter__")
    assert chain_of(35)[-1] == ("vault/storage/rows.py", 18, "names_under", "pathlib.PathListing.__iter__")
    assert chain_of(36)[-1] == ("vault/storage/rows.py", 23, "both_exist", "pathlib.Path.exists")
