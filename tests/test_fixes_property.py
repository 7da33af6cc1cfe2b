"""A property over generated coroutines: ``--fix`` leaves a file that compiles, rewrites every
blocking call that stands where it may, touches none elsewhere, and a second ``--fix`` changes
nothing. The same with ``--unsafe-fixes`` over calls that move to a thread."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loopguard.cli import cli

HEADER = "import asyncio\nimport time\n\n\nasync def agen():\n    yield 1\n\n\nasync def subject():\n"
# (statement lines, indented for the coroutine's body, and whether its sleep can become an await)
TEMPLATES = [
    ("time.sleep({n})", True),
    ("y = time.sleep({n}) or 1", True),
    ("if time.sleep({n}) is None:\n    pass", True),
    ("print(f'{{time.sleep({n})}}')", True),
    ("z = str(time.sleep({n}))", True),
    ("w = (time.sleep({n}))", True),
    ("v = time.sleep({n}).__class__", True),
    ("u = [a async for a in agen() if time.sleep({n}) is None]", True),
    ("for _ in range(1):\n    time.sleep({n})", True),
    ("try:\n    time.sleep({n})\nexcept ValueError:\n    pass", True),
    ("g = lambda: time.sleep({n})", False),
    ("s = [time.sleep({n}) for _ in range(1)]", False),
    ("t = list(time.sleep({n}) for _ in range(1))", False),
    ("def inner():\n    time.sleep({n})", False),
    ("time.sleep({n})  # noqa: LG2", False),
]


UNSAFE_HEADER = (
    "import asyncio\nimport os\n\nimport requests\n\nSESSION = requests.Session()\n\n\n"
    "def helper(path):\n    return os.path.exists(path)\n\n\n"
    "async def subject(url, path):\n"
)
# (statement lines, and whether every blocking call in it can move to a thread); one line each: a
# call written over several lines gets its function on a line of its own (test_fixes.py checks it)
UNSAFE_TEMPLATES = [
    ("requests.get(url, timeout={n})", True),
    ("SESSION.get(url, params={{'n': {n}}})", True),
    ("r{n} = requests.post(url, data=b'{n}')  # why", True),
    ("print(os.path.getsize(os.path.realpath(path)), {n})", True),
    ("t{n} = (helper(path), {n})", True),
    ("s{n} = open(path).read()", True),
    ("with open(path) as handle{n}:\n    pass", False),
    ("for entry{n} in os.listdir(path):\n    pass", False),
    ("g{n} = lambda: requests.get(url, timeout={n})", True),  # not on the loop: nothing reported
    ("c{n} = [os.path.exists(path) for _ in range({n})]", False),
    ("requests.get(url, timeout={n})  # noqa: LG1", False),
]


def build(
    choices: list[int], header: str = HEADER, templates: list[tuple[str, bool]] = TEMPLATES
) -> tuple[str, list[tuple[range, bool]]]:
    """The module, and per statement its lines and whether its blocking call is fixable."""
    text, spans, line = header, [], header.count("\n") + 1
    for n, index in enumerate(choices):
        template, legal = templates[index]
        lines = template.format(n=n).split("\n")
        text += "".join(f"    {part}\n" for part in lines)
        spans.append((range(line, line + len(lines)), legal))
        line += len(lines)
    return text, spans


def check(path: Path, *flags: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(
        cli, ["check", "--no-cache", "-q", *flags, "--output-format", "json", str(path)], catch_exceptions=False
    )
    return list(json.loads(result.stdout))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=0, max_value=len(TEMPLATES) - 1), min_size=1, max_size=8))
def test_fixing_generated_coroutines(choices: list[int]) -> None:
    source, spans = build(choices)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "generated.py"
        path.write_text(source)
        check(path, "--fix")
        fixed = path.read_text()
        compile(fixed, "generated.py", "exec", dont_inherit=True)
        lines = fixed.split("\n")
        assert len(lines) == len(source.split("\n"))  # asyncio is imported: only calls change
        for span, legal in spans:
            text = "\n".join(lines[line - 1] for line in span)
            assert ("time.sleep(" not in text) == legal, text
        remaining = check(path, "--fix")
        assert path.read_text() == fixed
        assert all(not any(f["line"] in span for span, legal in spans if legal) for f in remaining)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=0, max_value=len(UNSAFE_TEMPLATES) - 1), min_size=1, max_size=6))
def test_moving_generated_calls_to_threads(choices: list[int]) -> None:
    source, spans = build(choices, UNSAFE_HEADER, UNSAFE_TEMPLATES)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "generated.py"
        path.write_text(source)
        check(path, "--fix", "--unsafe-fixes")
        fixed = path.read_text()
        compile(fixed, "generated.py", "exec", dont_inherit=True)
        lines = fixed.split("\n")
        assert len(lines) == len(source.split("\n"))
        remaining = check(path, "--fix", "--unsafe-fixes")
        assert path.read_text() == fixed
        for finding in remaining:
            assert not any(finding["line"] in span for span, movable in spans if movable), finding
        for span, movable in spans:
            if not movable:
                original = source.split("\n")
                assert all(lines[line - 1] == original[line - 1] for line in span)
