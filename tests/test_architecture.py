"""The pipeline's layers and the absence of import cycles, as declared in pyproject.toml
(``[tool.importlinter]``): a module that imports from a layer above its own fails here."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from importlinter import cli as lint  # in the `test` extra

ROOT = Path(__file__).resolve().parents[1]


def test_import_layers_and_no_cycles(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(str(ROOT / "src"))
    status = lint.lint_imports(config_filename=os.fspath(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    output = capsys.readouterr().out
    assert status == 0, output
    assert "3 kept, 0 broken" in output
