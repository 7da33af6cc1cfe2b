"""Constructors and properties are calls, across modules: the fixture project
tests/fixtures/objects_app carries its expectations inline (``# error:`` on the coroutine's call
site)."""

from __future__ import annotations

from conftest import FIXTURES, project_findings, project_markers

APP = FIXTURES / "objects_app"


def app_findings():
    return project_findings(APP, "depot")


def test_every_marker_of_the_project_and_nothing_else() -> None:
    assert sorted((f.path, f.line, f.code) for f in app_findings()) == project_markers(APP)


def chain_of(path: str, line: int) -> list[tuple[str, int, str, str]]:
    [finding] = [f for f in app_findings() if f.path == path and f.line == line]
    return [(h.path, h.line, h.function, h.call) for h in finding.chain]


def test_a_constructor_in_a_coroutine_is_named_by_its_class_and_chained_through_init() -> None:
    [finding] = [f for f in app_findings() if f.path == "depot/handlers.py" and f.line == 11]
    assert finding.message == "`Archive()` blocks the event loop: -> open (depot/storage.py:8)"
    assert finding.suggestion.startswith("`await asyncio.to_thread(Archive, ...)` or, in `Archive.__init__`, ")
    assert chain_of("depot/handlers.py", 11) == [
        ("depot/handlers.py", 11, "show", "Archive()"),
        ("depot/storage.py", 8, "Archive.__init__", "open"),
    ]


def test_a_constructor_two_modules_down_is_a_hop_of_the_chain() -> None:
    assert chain_of("depot/handlers.py", 15) == [
        ("depot/handlers.py", 15, "show_via_helper", "open_catalog()"),
        ("depot/services/catalog.py", 7, "open_catalog", "Archive.__init__()"),
        ("depot/storage.py", 8, "Archive.__init__", "open"),
    ]


def test_a_property_two_modules_down_is_read_in_the_chain() -> None:
    [finding] = [f for f in app_findings() if f.path == "depot/handlers.py" and f.line == 27]
    assert finding.message == "reading `Vault.secret` blocks the event loop: -> open (depot/storage.py:30)"
    assert chain_of("depot/handlers.py", 31) == [
        ("depot/handlers.py", 31, "read_secret_via_helper", "secret_of()"),
        ("depot/services/catalog.py", 19, "secret_of", "Vault.secret"),
        ("depot/storage.py", 30, "Vault.secret", "open"),
    ]
