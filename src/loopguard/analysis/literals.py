"""A call's constant arguments, as the catalogue's conditions read them (``Rule.non_waiting``,
``BUILT_AS``): what the index records with each call and each constructor call it keeps."""

from __future__ import annotations

import ast
from typing import Any

from loopguard.analysis.argument_types import argument_type
from loopguard.analysis.constants import ArgumentValue
from loopguard.analysis.equalities import Equalities, pinned_argument, pinned_items
from loopguard.models import FLAGS, NOT_LITERAL, PASSED, Literal

#: The most names one ``A | B | ...`` argument is read as (``flag_names``); more is not a literal.
MAX_FLAGS = 16


def literal_value(node: ast.expr) -> tuple[bool, int | bool | str | None]:
    """(is a literal worth keeping, its value): ints, bools, None, short strings; a float only
    when it is integral (``0.0`` is ``0``), since conditions compare with ints."""
    if node.__class__ is not ast.Constant:  # (asked of every argument: no ``isinstance`` call)
        return False, None
    return constant_literal(node.value)


def constant_literal(value: object) -> tuple[bool, int | bool | str | None]:
    """``literal_value`` of a constant whose value is ``value`` (``argument_value`` has read its
    class already)."""
    if value is None or isinstance(value, (bool, int)):
        return True, value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**31:
        return True, int(value)
    if isinstance(value, str) and len(value) <= 40:
        return True, value
    return False, None


def literal_arguments(node: ast.Call, pinned: Equalities | None = None) -> tuple[Literal, ...]:
    """The constant arguments of a call, by position (before any ``*args``) and keyword: what the
    catalogue's ``non_waiting`` conditions read (``join(timeout=0)``, ``acquire(False)``); with
    ``pinned``, also the names and mapping keys a test has pinned to a literal (equalities.py)."""
    return given_literals(node.args, node.keywords, pinned)


def given_literals(
    args: list[ast.expr], keywords: list[ast.keyword], pinned: Equalities | None = None
) -> tuple[Literal, ...]:
    """``literal_arguments`` of a call whose ``args`` and ``keywords`` are these, for a caller that
    has read them (``visit_Call``: a field read off an ast node is a generic attribute lookup)."""
    found: list[Literal] = []
    given = 0  # positional arguments before any *args: ("#", n) says the first n are given
    for position, argument in enumerate(args):
        kind = argument.__class__  # (read once: handed to ``argument_value``)
        if kind is ast.Starred:
            found.append(("*", NOT_LITERAL))  # any later position, and any parameter, may be given
            break
        given = position + 1
        value = argument_value(argument, pinned, kind)
        if value is not NO_VALUE:
            found.append((position, value))
    if given and len(found) < given:  # some positional arguments are not literals
        found.append(("#", given))
    for keyword in keywords:
        if keyword.arg is None:
            found.append(("*", NOT_LITERAL))  # **kwargs
            if pinned:  # ``**settings`` after ``settings["type"] == "redis"`` passes type="redis"
                found += pinned_items(keyword.value, pinned)
            continue
        value = argument_value(keyword.value, pinned)
        found.append((keyword.arg, NOT_LITERAL if value is NO_VALUE else value))
    return tuple(found)


#: ``argument_value`` of an argument that is none of what it reads (told by identity)
NO_VALUE: tuple[str, ...] = ("<no value>",)


def argument_value(argument: ast.expr, pinned: Equalities | None, kind: type | None = None) -> ArgumentValue:
    """What ``literal_arguments`` records of an argument, the first that holds: its literal
    (``literal_value``), the literal a test pins it to, the caller's variable it names
    (``passed_name``), the flags it or-s (``flag_names``), its type (``argument_type``); else
    ``NO_VALUE``. Each is asked only of the classes of node it can answer (a literal of a constant,
    a pin of a name, a subscript or a call, ...), not of every argument in turn: asked of each
    argument of every call in a function or on the loop (126 M instructions of 2,633 M for every
    10th homeassistant file, each argument asked up to five functions). ``kind``: the argument's
    class, when the caller has read it. (Its class read once, not at each test, and the node read
    as ``Any``, as in ``expr_of``: ``__class__`` and any field off an ast node are a generic
    attribute lookup, and 18,500 arguments are asked for every 10th homeassistant file.)"""
    node: Any = argument
    if kind is None:
        kind = node.__class__
    if kind is ast.Constant:
        keep, value = constant_literal(node.value)
        if keep:
            return value
        typed = argument_type(argument)  # (a constant is pinned to nothing, names nothing)
        return NO_VALUE if typed is None else typed
    if pinned and (kind is ast.Name or kind is ast.Subscript or kind is ast.Call):
        keep, value = pinned_argument(argument, pinned)
        if keep:
            return value
    if kind is ast.Name:
        return (PASSED, node.id)
    if kind is ast.Attribute:  # (of no type ``argument_type`` knows)
        name = passed_name(argument)
        return NO_VALUE if name is None else (PASSED, name)
    if kind is ast.BinOp:  # (of no type ``argument_type`` knows)
        flags = flag_names(argument)
        return NO_VALUE if flags is None else (FLAGS, *flags)
    typed = argument_type(argument)  # (a subscript, a call, a display, ...: never a name passed)
    return NO_VALUE if typed is None else typed


def passed_arguments(node: ast.Call) -> list[tuple[int | str, ast.expr]]:
    """A call's arguments by position (before any ``*args``) and keyword (not ``**kwargs``), keyed
    as ``literal_arguments`` keys them."""
    passed: list[tuple[int | str, ast.expr]] = []
    for position, argument in enumerate(node.args):
        if isinstance(argument, ast.Starred):
            break
        passed.append((position, argument))
    passed += [(keyword.arg, keyword.value) for keyword in node.keywords if keyword.arg is not None]
    return passed


def passed_name(argument: ast.expr) -> str | None:
    """The caller's variable an argument names (``name``), or ``module.NAME``: an attribute of a
    name, which only a module imported once makes a known value (constants.py reads it; the
    index leaves no other dotted name)."""
    if argument.__class__ is ast.Name:  # (told apart by class, each field read once)
        return argument.id
    if argument.__class__ is not ast.Attribute:
        return None
    base = argument.value
    if base.__class__ is ast.Name:
        return f"{base.id}.{argument.attr}"
    # ``Kind.MEMBER.value``: an enum member's value (enums.py)
    if base.__class__ is ast.Attribute and argument.attr == "value":
        owner = base.value
        if owner.__class__ is ast.Name:
            return f"{owner.id}.{base.attr}.value"
    return None


def flag_names(argument: ast.expr) -> tuple[str, ...] | None:
    """The names or ``module.NAME``s or-ed together in ``A | B | ...`` (flags: ``os.WNOHANG |
    os.WUNTRACED``), for conditions on a flag it includes; None when an operand is anything else."""
    if not (isinstance(argument, ast.BinOp) and isinstance(argument.op, ast.BitOr)):
        return None
    operands: list[ast.expr] = []
    pending: list[ast.expr] = [argument]
    while pending and len(operands) <= MAX_FLAGS:  # a loop, not recursion: a long chain is deep
        node = pending.pop()
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            pending += [node.right, node.left]
        else:
            operands.append(node)
    names = tuple(passed_name(operand) for operand in operands)
    if pending or any(name is None for name in names):
        return None
    return tuple(name for name in names if name is not None)


def is_bare_final(node: ast.AnnAssign) -> bool:
    """``x: Final = value`` (or ``typing.Final``): the annotation names no type, so the value's own
    type is the name's, as for ``x = value`` (``Final[T]`` names ``T`` and stays a declaration)."""
    annotation = node.annotation
    named = (isinstance(annotation, ast.Name) and annotation.id == "Final") or (
        isinstance(annotation, ast.Attribute) and annotation.attr == "Final"
    )
    return named and node.value is not None
