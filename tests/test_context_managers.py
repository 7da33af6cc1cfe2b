"""What ``with helper() as x`` binds across modules: the fixture project
tests/fixtures/managers_app carries its expectations inline (``# error:`` markers)."""

from __future__ import annotations

from conftest import FIXTURES, project_findings, project_markers

APP = FIXTURES / "managers_app"


def test_a_generator_manager_in_another_module_gives_its_yielded_type_or_class() -> None:
    findings = project_findings(APP, "uploads")
    assert sorted((f.path, f.line, f.code) for f in findings) == project_markers(APP)
    assert all("pathlib.Path.read_text" in f.message for f in findings)
