"""Coroutines are parsed by libcst one segment at a time: positions must map back exactly."""

from __future__ import annotations

from conftest import findings_of


def located(project, source: str) -> list[tuple[int, int, int, int]]:
    root = project({"app.py": source})
    return [(f.line, f.column, f.end_line, f.end_column) for f in findings_of(root / "app.py", cwd=root)]


def test_top_level_coroutine(project) -> None:
    assert located(project, "import time\n\n\nasync def f():\n    time.sleep(1)\n") == [(5, 5, 5, 18)]


def test_method_segment_is_wrapped_and_columns_kept(project) -> None:
    source = "import time\n\n\nclass A:\n    async def f(self):\n        x = 1; time.sleep(1)\n"
    assert located(project, source) == [(6, 16, 6, 29)]


def test_non_ascii_text_before_the_call_counts_characters_not_bytes(project) -> None:
    source = "import time\n\n\nasync def f():\n    s = 'héllo wörld'; time.sleep(1)\n"
    assert located(project, source) == [(5, 24, 5, 37)]


def test_multiline_string_with_less_indentation_inside_a_method(project) -> None:
    source = (
        "import time\n\n\nclass A:\n    async def f(self):\n        text = '''\nflush left\n'''\n"
        "        time.sleep(len(text))\n"
    )
    assert located(project, source) == [(9, 9, 9, 30)]


def test_multiline_call_spans_lines(project) -> None:
    source = "import time\n\n\nasync def f():\n    time.sleep(\n        1,\n    )\n"
    assert located(project, source) == [(5, 5, 7, 6)]


def test_one_line_coroutine_with_a_comment_above(project) -> None:
    source = "import time\nclass A:  # comment\n  async def f(self): return [time.sleep(1) for _ in ()]\n"
    assert located(project, source) == [(3, 30, 3, 43)]


def test_tab_indentation(project) -> None:
    source = "import time\n\n\nclass A:\n\tasync def f(self):\n\t\ttime.sleep(1)\n"
    assert located(project, source) == [(6, 3, 6, 16)]


def test_nested_coroutines_are_parsed_once_and_each_call_found(project) -> None:
    source = (
        "import time\n\n\nasync def outer():\n    def helper():\n        async def inner():\n"
        "            time.sleep(2)\n        return inner\n    time.sleep(1)\n"
    )
    assert located(project, source) == [(7, 13, 7, 26), (9, 5, 9, 18)]


def test_crlf_line_endings(project) -> None:
    source = "import time\r\n\r\nclass A:\r\n    async def f(self):\r\n        time.sleep(1)\r\n"
    assert located(project, source) == [(5, 9, 5, 22)]


def test_segment_is_refused_when_code_precedes_the_def_and_the_module_is_walked_instead() -> None:
    from loopguard.analysis.checker import LoopCalls, locate_in_module, segment_source

    lines = ["if x: pass\n", "async def f(): g()\n"]
    assert segment_source(lines, 2, 0, 2) == ("async def f(): g()\n", 1)
    assert segment_source(["x = 1; y = 2\n"], 1, 7, 1) is None
    found = LoopCalls()
    assert locate_in_module("".join(lines), found)
    assert found.calls == {(2, 15): [(2, 18)]}


def test_deeply_nested_generated_code_is_analysed(project) -> None:
    nested = "x = " + "(" * 1 + " + ".join(["1"] * 3000) + ")" * 1 + "\n"
    source = nested + "import time\n\n\nasync def f():\n    time.sleep(1)\n"
    assert located(project, source) == [(6, 5, 6, 18)]


def test_a_call_on_a_call_ends_where_the_reported_call_ends(project) -> None:
    """``requests.Session().get(url)``: the ``get`` call and the ``Session()`` call start together;
    the finding for ``get`` ends after ``(url)``, and one for the inner call after its own ``()``."""
    source = "import requests\n\n\nasync def f(url):\n    requests.Session().get(url)\n    open('a').read()\n"
    assert located(project, source) == [(5, 5, 5, 32), (6, 5, 6, 14)]
