"""Python 3.10-3.14 syntax: analysed when the running Python can parse it, else one clear LG001."""

from __future__ import annotations

import ast
import sys

import pytest
from conftest import findings_of

SAMPLES = {
    "match (3.10)": "match command:\n    case {'x': x}:\n        pass\n",
    "except* (3.11)": "try:\n    pass\nexcept* ValueError:\n    pass\n",
    "type alias and generics (3.12)": "type Pair[T] = tuple[T, T]\n\ndef first[T](pair: Pair[T]) -> T:\n    return pair[0]\n",
    "nested f-string quotes (3.12)": "name = 'x'\ngreeting = f\"{f\"{name}\"}\"\n",
    "template string (3.14)": "name = 'x'\ntemplate = t'hello {name}'\n",
}


def parses_here(source: str) -> bool:
    try:
        ast.parse(source)
    except SyntaxError:
        return False
    return True


@pytest.mark.parametrize("label", sorted(SAMPLES))
def test_newer_syntax_is_analysed_or_reported_clearly(project, label: str) -> None:
    source = SAMPLES[label] + "\nimport time\n\nasync def handler():\n    time.sleep(1)\n"
    root = project({"app.py": source})
    found = findings_of(root / "app.py", cwd=root)
    if parses_here(source):
        assert [f.code for f in found] == ["LG101"], (label, sys.version_info)
    else:
        [error] = found
        assert error.code == "LG001"
        # libcst (which knows every syntax up to 3.14) confirms the file is valid, just newer
        assert "uses syntax newer than the Python running loopguard can parse" in error.message
