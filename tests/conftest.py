from __future__ import annotations

import re
from pathlib import Path

import pytest

from loopguard.config import Config
from loopguard.models import Finding
from loopguard.runner import check_paths

FIXTURES = Path(__file__).parent / "fixtures"
MARKER = re.compile(r"#\s*error:\s*(?P<codes>LG\d+(?:\s*,\s*LG\d+)*)")


def expected_markers(path: Path) -> list[tuple[int, str]]:
    """(line, code) for every ``# error: LG101, LG201`` marker in a fixture."""
    expected = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = MARKER.search(line)
        if match:
            expected += [(number, code.strip()) for code in match.group("codes").split(",")]
    return sorted(expected)


def findings_of(*paths: Path, config: Config | None = None, cwd: Path | None = None) -> list[Finding]:
    config = config or Config(root=(cwd or paths[0].parent).resolve())
    results = check_paths(list(paths), config, cwd=cwd or config.root)
    return sorted((f for r in results for f in r.findings), key=Finding.sort_key)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Write files into a temporary project directory and chdir there."""
    monkeypatch.chdir(tmp_path)

    def write(files: dict[str, str]) -> Path:
        for name, text in files.items():
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        return tmp_path

    return write
