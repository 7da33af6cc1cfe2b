"""``isinstance`` guards decided by the type an argument has at the call (argument_types.py): the
single-file cases are tests/fixtures/precision_argument_types.py; here, what must stay unknown
when a name the test or the call reads is not the builtin, and the judgement itself."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest
from conftest import lines_reported

from loopguard.analysis.argument_types import Instance, argument_type, is_instance

HELPER = """\
def load(source):
    if isinstance(source, str):
        return open(source).read()
    return None
"""


def test_a_dict_argument_rules_out_the_str_branch(tmp_path: Path) -> None:
    source = HELPER + "\n\nasync def handler(x):\n    load(dict(x))\n    load({})\n    load('a' * 2)\n"
    assert lines_reported(tmp_path, source) == [10]


@pytest.mark.parametrize(
    "shadowing",
    [
        "str = bytes\n",  # the class tested, bound later in the module
        "isinstance = lambda value, kind: True\n",  # the test itself
        "from somewhere import *\n",  # a star import may bind either
    ],
)
def test_a_test_reading_a_name_bound_later_is_unknown(tmp_path: Path, shadowing: str) -> None:
    source = HELPER + "\n\nasync def handler():\n    load({})\n\n\n" + shadowing
    assert lines_reported(tmp_path, source) == [8]


def test_a_name_bound_later_in_the_function_itself_is_unknown(tmp_path: Path) -> None:
    source = (
        "def load(source):\n    if isinstance(source, str):\n        return open(source).read()\n"
        "    str = type(source)\n    return str\n\n\nasync def handler():\n    load({})\n"
    )
    assert lines_reported(tmp_path, source) == [9]


def test_a_builder_that_is_not_the_builtin_types_nothing(tmp_path: Path) -> None:
    source = HELPER + "\n\nasync def handler(dict):\n    load(dict(1))\n    load(sorted(1))\n\n\ndef sorted(x):\n    return x\n"
    assert lines_reported(tmp_path, source) == [8, 9]


PATH_HELPER = """
import os


def size(file):
    if isinstance(file, os.PathLike):
        return open(file, "rb").read()
    return file
"""


@pytest.mark.parametrize(
    ("imports", "call", "reported"),
    [
        ("import base64", "base64.b64decode(data)", False),
        ("from base64 import b64decode", "b64decode(data)", False),
        ("from base64 import b64decode as decode", "decode(data)", True),  # renamed: not looked up
        ("import binascii as base64", "base64.b64decode(data)", True),  # another module
        ("from base64 import b64decode\nb64decode = str", "b64decode(data)", True),  # bound twice
        ("from base64 import *", "b64decode(data)", True),  # a star import
    ],
)
def test_a_library_function_that_returns_bytes_rules_out_the_path_branch(
    tmp_path: Path, imports: str, call: str, reported: bool
) -> None:
    source = imports + "\n" + PATH_HELPER + f"\n\nasync def handler(data):\n    size({call})\n"
    assert bool(lines_reported(tmp_path, source)) is reported


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("{}", ("!", "dict")),
        ("{k: v for k, v in x}", ("!", "dict")),
        ("(1, 2)", ("!", "tuple")),
        ("f'{x}'", ("!", "str")),
        ("b'x'", ("!", "bytes")),
        ("1.5", ("!", "float")),
        ("dict(sorted(x))", ("!", "dict", "dict")),
        ("str(x)", ("!", "str+", "str")),
        ("x", None),
        ("x.copy()", None),
        ("builtins.dict(x)", None),
    ],
)
def test_argument_types(argument: str, expected: tuple[str, ...] | None) -> None:
    assert argument_type(ast.parse(argument, mode="eval").body) == expected


@pytest.mark.parametrize(
    ("value", "classes", "expected"),
    [
        (Instance("dict"), ("builtins.str",), False),
        (Instance("dict"), ("builtins.dict",), True),
        (Instance("tuple"), ("os.PathLike",), False),
        (Instance("str"), ("os.PathLike",), False),
        (Instance("str"), ("builtins.str", "pathlib.Path"), True),
        (Instance("bool"), ("builtins.int",), True),
        (Instance("str+"), ("builtins.dict",), False),
        (Instance("str+"), ("os.PathLike",), None),  # a subclass may define __fspath__
        (None, ("builtins.str",), False),
        ("text", ("builtins.str",), True),
        (0, ("builtins.str",), False),
        (0, ("builtins.float",), None),  # ``0.0`` is read as ``0``
        (0, ("builtins.int", "builtins.float"), True),
        (("loop",), ("builtins.tuple",), None),  # the running loop: not a literal
        (Instance("dict"), ("app.Settings",), None),
    ],
)
def test_is_instance(value: object, classes: tuple[str, ...], expected: bool | None) -> None:
    assert is_instance(value, classes) is expected


def test_the_real_classes_agree() -> None:
    assert not isinstance("x", os.PathLike) and not isinstance((), os.PathLike)
