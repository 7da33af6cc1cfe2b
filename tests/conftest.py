from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pytest

from loopguard.config import Config
from loopguard.models import Finding
from loopguard.runner import check_paths

FIXTURES = Path(__file__).parent / "fixtures"
# A marker: ``# error: LG101``, several codes ``# error: LG101, LG201``, and per code, optionally, the
# 1-based column and the blocking API: ``# error: LG201@12 requests.get, LG101 time.sleep``.
_API = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*"
_ITEM = rf"LG\d+(?:@\d+)?(?:[ \t]+{_API})?"
MARKER = re.compile(rf"#\s*error:\s*(?P<items>{_ITEM}(?:\s*,\s*{_ITEM})*)")
ITEM = re.compile(rf"(?P<code>LG\d+)(?:@(?P<column>\d+))?(?:\s+(?P<api>{_API}))?")
# A direct finding's message starts with the API it reports: "`requests.get` blocks the event loop".
REPORTED_API = re.compile(r"^`(?P<api>[^`]+)`")


class Expected(NamedTuple):
    """One finding a fixture line expects; ``column`` and ``api`` are checked only when given."""

    line: int
    code: str
    column: int | None = None
    api: str | None = None


def parse_marker(comment: str, line: int) -> list[Expected]:
    """The findings one source line's ``# error:`` marker expects (none without a marker)."""
    match = MARKER.search(comment)
    if not match:
        return []
    expected = []
    for item in match.group("items").split(","):
        parts = ITEM.fullmatch(item.strip())
        assert parts, f"line {line}: malformed marker item {item!r}"
        column = parts.group("column")
        expected.append(Expected(line, parts.group("code"), int(column) if column else None, parts.group("api")))
    return expected


def expected_findings(path: Path) -> list[Expected]:
    """Every finding a fixture's ``# error:`` markers expect, in line order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [e for number, line in enumerate(lines, start=1) for e in parse_marker(line, number)]


def expected_markers(path: Path) -> list[tuple[int, str]]:
    """(line, code) for every ``# error: LG101, LG201`` marker in a fixture."""
    return sorted((e.line, e.code) for e in expected_findings(path))


def reported_api(finding: Finding) -> str | None:
    """The blocking API a finding reports: the call at the bottom of a chain, or the call itself.

    A transitive finding's site is a project function (``inner()``); the marker names what blocks,
    which is the chain's last call (``requests.get``), so that a marker pins the whole chain.
    """
    if finding.chain:
        return finding.chain[-1].call
    if finding.root:  # "path:line api": the API by its catalogue name, however the message words it
        return finding.root.rpartition(" ")[2]
    match = REPORTED_API.match(finding.message)
    return match.group("api") if match else None


def fits(expected: Expected, finding: Finding) -> bool:
    return (
        (expected.line, expected.code) == (finding.line, finding.code)
        and expected.column in (None, finding.column)
        and expected.api in (None, reported_api(finding))
    )


def unmatched_markers(expected: list[Expected], findings: list[Finding]) -> list[Expected]:
    """The markers no finding fits, each finding used once; the most specific markers choose first,
    so a bare ``LG201`` cannot take the finding that ``LG201 requests.get`` on the same line needs."""
    left = list(findings)
    unmatched = []
    for marker in sorted(expected, key=lambda e: (e.column is None) + (e.api is None)):
        fitting = next((f for f in left if fits(marker, f)), None)
        if fitting is None:
            unmatched.append(marker)
        else:
            left.remove(fitting)
    return unmatched


def findings_of(*paths: Path, config: Config | None = None, cwd: Path | None = None) -> list[Finding]:
    config = config or Config(root=(cwd or paths[0].parent).resolve())
    results = check_paths(list(paths), config, cwd=cwd or config.root)
    return sorted((f for r in results for f in r.findings), key=Finding.sort_key)


def project_findings(app: Path, package: str) -> list[Finding]:
    """The findings of a fixture project's package, checked with the project's loopguard.toml."""
    from loopguard.config import load_config

    config = load_config(app / "loopguard.toml", app)
    return findings_of(app / package, config=config, cwd=app)


def project_markers(app: Path) -> list[tuple[str, int, str]]:
    """(path, line, code) of every marker in a fixture project, in order."""
    return sorted(
        (path.relative_to(app).as_posix(), line, code)
        for path in sorted(app.rglob("*.py"))
        for line, code in expected_markers(path)
    )


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


@pytest.fixture(autouse=True, scope="session")
def private_cache_key(tmp_path_factory: pytest.TempPathFactory):
    """The cache's signing key (``cache/signing.py``) lives in the user's cache directory: the
    tests use one of their own, never the developer's."""
    from loopguard.cache.signing import signing_key

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        signing_key.cache_clear()
        yield
    signing_key.cache_clear()


def lines_reported(tmp_path: Path, source: str) -> list[int]:
    """The lines of the findings in a module ``mod.py`` of ``source``, alone in ``tmp_path``."""
    path = tmp_path / "mod.py"
    path.write_text(source, encoding="utf-8")
    return [f.line for f in findings_of(path, cwd=tmp_path)]
