"""A caller's variable annotated with builtin classes decides the ``isinstance`` tests of the helper
it is passed to (annotated_types.py). The single-file cases are
tests/fixtures/precision_annotated_arguments.py; here, what must stay unknown when a name the
annotation reads is not the builtin, or the variable may be bound by another scope, and the
reading of annotations itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import lines_reported

from loopguard.analysis.annotated_types import annotated_classes, annotated_names
from loopguard.analysis.argument_types import Instance, is_instance

HELPER = """\
from os import PathLike


def load(source):
    if isinstance(source, PathLike):
        return open(source).read()
    return None


def passes(content: bytes):
    return load(content)
"""


def test_an_annotated_parameter_passed_on_is_never_a_path(tmp_path: Path) -> None:
    source = HELPER + "\n\nasync def handler(body):\n    passes(body)\n"
    assert lines_reported(tmp_path, source) == []


@pytest.mark.parametrize(
    "shadowing",
    [
        "bytes = PathLike\n",  # the class the annotation names, bound in the module
        "from somewhere import *\n",  # a star import may bind it
    ],
)
def test_an_annotation_reading_a_name_that_is_not_the_builtin_types_nothing(tmp_path: Path, shadowing: str) -> None:
    source = HELPER + "\n\nasync def handler(body):\n    passes(body)\n\n\n" + shadowing
    assert lines_reported(tmp_path, source) == [15]


def test_a_variable_a_nested_function_declares_nonlocal_is_unknown(tmp_path: Path) -> None:
    source = HELPER + (
        "\n\ndef rebinds(content: bytes, path):\n    def swap():\n        nonlocal content\n"
        "        content = path\n\n    swap()\n    return load(content)\n"
        "\n\nasync def handler(body, path):\n    rebinds(body, path)\n"
    )
    assert lines_reported(tmp_path, source) == [24]


def test_a_literal_the_caller_was_given_wins_over_the_annotation(tmp_path: Path) -> None:
    source = (
        "def load(source):\n    if isinstance(source, str):\n        return source\n    return open('default.txt').read()\n\n\n"
        "def passes(content: str):\n    return load(content)\n\n\n"
        "async def handler(text):\n    passes(text)\n    passes(None)\n"
    )
    assert lines_reported(tmp_path, source) == [13]


@pytest.mark.parametrize(
    ("annotation", "classes"),
    [
        ("bytes", ("bytes",)),
        ("'str'", ("str",)),
        ("float", ("float", "int", "bool")),
        ("bytes | str", ("bytes", "str")),
        ("int | bool", ("int", "bool")),
    ],
)
def test_an_annotation_of_builtins_allows_what_a_type_checker_accepts(annotation: str, classes: tuple[str, ...]) -> None:
    found = annotated_names(ast.parse(annotation, mode="eval").body)
    assert found is not None and tuple(annotated_classes(found).split("|")) == classes


@pytest.mark.parametrize(
    "annotation",
    ["bytes | None", "Optional[bytes]", "Any", "Path", "list[str]", "bytes | PathLike", "'not valid('", "os.PathLike"],
)
def test_other_annotations_are_not_read(annotation: str) -> None:
    assert annotated_names(ast.parse(annotation, mode="eval").body) is None


@pytest.mark.parametrize(
    ("types", "classes", "expected"),
    [
        ("bytes|bytearray|memoryview", ("os.PathLike",), False),
        ("bytes|bytearray|memoryview", ("builtins.str",), False),
        ("bytes|bytearray|memoryview", ("builtins.bytes", "builtins.bytearray"), None),  # a memoryview is neither
        ("bytes|bytearray|memoryview|str", ("builtins.str",), None),  # the members disagree
        ("float|int|bool", ("builtins.int",), None),
        ("str", ("pathlib.Path",), False),
    ],
)
def test_a_test_of_one_of_several_classes_is_decided_when_they_agree(
    types: str, classes: tuple[str, ...], expected: bool | None
) -> None:
    assert is_instance(Instance(types), classes) is expected
