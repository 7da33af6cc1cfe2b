"""scripts/one_file_consistency.py: a run over one file of a warm project reports what the run over
the whole project reports for it (docs/real-world.md, "Consistency")."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import one_file_consistency  # scripts/ is not a package: imported from its folder


def test_the_star_import_project_gives_the_same_findings_one_file_at_a_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "app"
    shutil.copytree(FIXTURES / "stars_app", project)
    status = one_file_consistency.main([str(project), "shop", "--files", "5", "--", "--config", "loopguard.toml"])
    printed = capsys.readouterr().out
    assert status == 0, printed
    assert printed.endswith("4 findings of the whole run: 0 differ\n")


def test_a_file_that_differs_is_printed_and_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The runs stand in for loopguard here: the one-file run of ``a.py`` loses its finding."""
    (tmp_path / "pkg").mkdir()
    for name in ("a.py", "b.py"):
        (tmp_path / "pkg" / name).write_text("")
    finding = ("pkg/a.py", 3, 5, "LG501", "`helper()` blocks the event loop: -> open (pkg/b.py:2)")

    def runs(root: Path, *arguments: str) -> list[one_file_consistency.Key]:
        return [finding] if arguments[-1] == "pkg" else []

    monkeypatch.setattr(one_file_consistency, "checked", runs)
    assert one_file_consistency.main([str(tmp_path), "pkg", "--files", "1"]) == 1
    printed = capsys.readouterr().out
    assert "DIFF pkg/a.py: 1 in the whole run, 0 alone" in printed
    assert "missing 3:5 LG501" in printed
    assert printed.endswith("1 differ\n")
