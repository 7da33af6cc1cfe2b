"""The fix planner walks only the statements at its findings' lines, at the imports, and at the
lines that hold a name it asks about (``fixsites.py``): what it learns there must be exactly what
the walk of the whole module says. Checked on every call of real modules (loopguard's own sources
and the fixture projects) and on the shapes where a statement's text starts before its line or a
name is spelt otherwise."""

from __future__ import annotations

import ast
import random
import re
from pathlib import Path

import pytest

from loopguard.fixes import file_context
from loopguard.fixsites import BoundNames, FixSites, find_sites, import_lines
from loopguard.sourcetext import split_lines

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*(ROOT / "src" / "loopguard").rglob("*.py"), *(ROOT / "tests" / "fixtures").rglob("*.py")])
WORD = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def parsed(text: str) -> tuple[ast.Module, list[str]] | None:
    try:
        return ast.parse(text), split_lines(text)
    except SyntaxError:
        return None


def sites_at(walk: FixSites, asked: set[int]) -> dict[tuple[int, int], list[object]]:
    return {start: list(sites) for start, sites in walk.sites.items() if start[0] in asked}


def assert_same_as_whole(tree: ast.Module, lines: list[str], asked: set[int], whole: FixSites | None = None) -> None:
    whole = whole or find_sites(tree, lines)
    part = find_sites(tree, lines, sorted(asked | set(import_lines(lines))))
    assert sites_at(part, asked) == sites_at(whole, asked)
    assert (part.imports.bindings, part.imports.loaded, part.imports.roots) == (
        whole.imports.bindings, whole.imports.loaded, whole.imports.roots,
    )


def test_real_modules_call_lines_alone_and_together() -> None:
    chooser = random.Random(2026)
    checked = 0
    for path in SOURCES:
        found = parsed(path.read_text(encoding="utf-8"))
        if found is None:
            continue  # a fixture that is meant not to parse
        tree, lines = found
        whole = find_sites(tree, lines)
        call_lines = sorted({start[0] for start in whole.sites})
        for line in chooser.sample(call_lines, min(12, len(call_lines))):
            assert_same_as_whole(tree, lines, {line}, whole)
            checked += 1
        if call_lines:
            for _ in range(2):
                assert_same_as_whole(tree, lines, set(chooser.sample(call_lines, min(5, len(call_lines)))), whole)
    assert checked > 1_000  # the corpus is what makes this test mean something


def test_real_modules_bound_names_name_by_name() -> None:
    for path in SOURCES[::5]:
        text = path.read_text(encoding="utf-8")
        found = parsed(text)
        if found is None:
            continue
        tree, lines = found
        whole = find_sites(tree, lines).bound
        names = BoundNames(tree, lines)
        for name in sorted(set(WORD.findall(text)) | {"asyncio", "anyio", "trio", "functools", "absent_name"}):
            assert (name in names) is (name in whole), (path, name)


EDGES = {
    # a walrus in a decorator binds the name on a line before the ``def`` line
    "decorator": "import asyncio\n\n@(asyncio := wrap)\ndef f():\n    pass\n",
    # the ``import`` keyword of a statement on its second line, and an alias there
    "import continued": "from os import (\n    path as asyncio,\n)\n",
    "import backslash": "from os \\\n    import path as asyncio\n",
    # a handler's name, a parameter, a local import, a comprehension's variable, a deletion
    "handler": "try:\n    pass\nexcept ValueError as asyncio:\n    pass\n",
    "parameter": "def f(a,\n      asyncio=1):\n    pass\n",
    "local import": "def f():\n    import asyncio\n",
    "comprehension": "x = [1 for asyncio in range(3)]\n",
    "deletion": "del asyncio\n",
    "class": "class asyncio:\n    pass\n",
    # an identifier spelt with a full-width letter is ``asyncio`` once normalised (NFKC)
    "other spelling": "\uff41syncio = 1\n",
    "not bound": "import asyncio\nasyncio.run(main())\n",
}


@pytest.mark.parametrize("name", sorted(EDGES))
def test_edges_bound_as_the_whole_walk_says(name: str) -> None:
    text = EDGES[name]
    tree, lines = ast.parse(text), split_lines(text)
    whole = find_sites(tree, lines).bound
    assert ("asyncio" in BoundNames(tree, lines)) is ("asyncio" in whole)
    assert ("asyncio" in whole) is (name != "not bound")  # each shape does bind it (the test's own check)


def test_a_call_in_a_decorator_is_found_at_its_line() -> None:
    text = "import time\n\n\nclass C:\n    @decorate(time.sleep(1))\n    async def f(self):\n        pass\n"
    tree, lines = ast.parse(text), split_lines(text)
    assert_same_as_whole(tree, lines, {5})
    assert (5, 14) in find_sites(tree, lines, [5]).sites


def test_file_context_asked_about_lines_plans_what_the_whole_does() -> None:
    text = (
        "import asyncio\nimport time\n\n\nasync def f():\n    time.sleep(1)\n    await asyncio.sleep(0)\n\n\n"
        "def g():\n    asyncio = None\n    return asyncio\n"
    )
    part = file_context(text, [6])
    whole = find_sites(ast.parse(text), split_lines(text))
    assert part is not None
    assert part.sites.sites[(6, 4)] == whole.sites[(6, 4)]
    assert "asyncio" in whole.bound  # the local of g
    assert part.reference("asyncio", "sleep") is None  # shadowed in g: no fix names it
