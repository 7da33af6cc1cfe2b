"""The type an argument certainly has at a call site, and the ``isinstance`` tests it decides.

``register(model_cost=dict(sorted(costs.items())))`` never runs the ``open`` that ``register``
does only ``elif isinstance(model_cost, str)``: a ``dict`` is never a ``str``. The index records an
argument whose type it can know from the call alone as ``(TYPED, type name)`` (``("!", "dict")``):

* a display or comprehension — ``{...}``, ``[...]``, ``(...)``, ``{1, 2}``, a string or bytes
  literal (too long to be kept as a literal), a number, an f-string: exactly that builtin type;
* a call of a builtin that builds one — ``dict(...)``, ``list(...)``, ``sorted(...)``, ``str(...)``,
  ``int(...)`` ...: of that type. ``str(x)``, ``int(x)``, ``float(x)`` and ``bytes(x)`` return what
  ``x.__str__`` (...) returns, which may be a subclass, so those are typed "or a subclass" (``+``).
  The name called must be the builtin: the index records the names it depends on and keeps the
  marker only when no scope the call sees binds any of them, and no star import may
  (``checked_type``); otherwise the argument is not a literal.

A parameter's default that is such a display (``def f(opts={})``) is typed the same way.

In the callee, ``isinstance(name, C)`` (or a tuple of classes) is a guard
``("isinstance", subject, ("builtins.str", ...))`` when the function is the builtin ``isinstance``
and every class is one whose instances this module can judge (``CLASSES``): ``isinstance`` of a
value of a known exact type ``T`` is ``issubclass(T, C)``, computed with the real classes (so
``isinstance(x, os.PathLike)`` of a ``str`` or a ``tuple`` is False). The names the test reads
(``isinstance``, ``str``, ``os``, ``PathLike``) are checked the same way, once the module is
indexed (``TypeTests``). Anything else — a class of the project, an unknown value, a type "or a
subclass" tested against an ABC — is unknown, and an unknown guard keeps the call.

A literal value is judged by its type, with one care: the index reads ``0.0`` as ``0`` (conditions
compare with ints), so an int may be an int or a float in the source, and a test that tells them
apart is unknown.
"""

from __future__ import annotations

import ast
import builtins
import os
import pathlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeGuard

from loopguard.models import NOT_LITERAL

#: ``(TYPED, type name)``: the argument is an instance of that builtin type (``"dict"``), or of it
#: or a subclass (``"str+"``); before the index checks them, followed by the names it depends on.
TYPED = "!"
#: A builtin called with any arguments -> the type of what it returns ("+": or a subclass).
BUILDERS = {
    "dict": "dict", "list": "list", "set": "set", "frozenset": "frozenset", "tuple": "tuple",
    "bytearray": "bytearray", "sorted": "list", "bool": "bool", "len": "int",
    "str": "str+", "repr": "str+", "int": "int+", "float": "float+", "bytes": "bytes+",
}
#: Library functions that always return exactly that builtin type (the standard library's
#: encoders: a ``bytes`` is never a path): read when the name called is bound once to their import.
LIBRARY_BUILDERS = {
    f"base64.{name}": "bytes"
    for name in (
        "b64decode", "b64encode", "urlsafe_b64decode", "urlsafe_b64encode", "standard_b64decode",
        "standard_b64encode", "b32decode", "b32encode", "b16decode", "b16encode", "a85decode",
        "a85encode", "b85decode", "b85encode",
    )
}
#: The names those functions are called by (the index sees a name before it knows its binding).
LIBRARY_NAMES = frozenset(key.rpartition(".")[2] for key in LIBRARY_BUILDERS)
#: Marks a call of a library function in ``(TYPED, LIBRARY_CALL, name, attribute)`` until the index
#: knows what ``name`` is bound to (``checked_type``).
LIBRARY_CALL = "?"
#: The exact type of a display or comprehension.
DISPLAYS: dict[type, str] = {
    ast.Dict: "dict", ast.List: "list", ast.Set: "set", ast.Tuple: "tuple", ast.JoinedStr: "str",
    ast.DictComp: "dict", ast.ListComp: "list", ast.SetComp: "set",
}
#: The types of constants (those ``literal_value`` does not keep: long strings, floats, bytes).
CONSTANTS = (str, bytes, int, float, complex)
#: The classes an ``isinstance`` test can be judged against, by qualified name.
CLASSES: dict[str, type] = {
    **{
        f"builtins.{name}": getattr(builtins, name)
        for name in (
            "str", "bytes", "bytearray", "dict", "list", "tuple", "set", "frozenset", "int", "float",
            "complex", "bool",
        )
    },
    "os.PathLike": os.PathLike,
    "pathlib.Path": pathlib.Path,
    "pathlib.PurePath": pathlib.PurePath,
}
ISINSTANCE = "builtins.isinstance"
#: The builtin functions a guard reads by name (``isinstance(x, C)``, ``len(x)``): judged only
#: while the name is the builtin (``TypeTests``).
JUDGED_FUNCTIONS = frozenset({ISINSTANCE, "builtins.len"})
MAX_CLASSES = 8


@dataclass(frozen=True, slots=True)
class Instance:
    """A value of which only the type is known, as the guard evaluator sees it: truthiness, equality
    and contents are unknown; ``isinstance`` and ``is None`` are not."""

    type_name: str  # a builtin's name, "+" at the end: or a subclass of it; "A|B": one of them


def is_typed(value: object) -> TypeGuard[tuple[str, str]]:
    """A checked ``(TYPED, type name)`` argument."""
    return isinstance(value, tuple) and len(value) == 2 and value[0] == TYPED


def instance_of(value: object) -> object:
    """A recorded argument or default as the evaluator's value: an ``Instance`` for a typed one."""
    return Instance(str(value[1])) if is_typed(value) else value


def recorded(value: object) -> object:
    """Back from ``instance_of``, to pass the value on as a call's argument."""
    return (TYPED, value.type_name) if isinstance(value, Instance) else value


# -- the call site ---------------------------------------------------------------------------------
def argument_type(node: ast.expr) -> tuple[str, ...] | None:
    """``(TYPED, type name, names it depends on...)`` for an argument of a known type, else None."""
    shown = display_type(node)
    if shown is not None:
        return (TYPED, shown)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in BUILDERS:
        return (TYPED, BUILDERS[node.func.id], node.func.id)
    if isinstance(node, ast.Call):  # ``base64.b64decode(...)``, ``b64decode(...)``: see LIBRARY_BUILDERS
        function = node.func
        if isinstance(function, ast.Attribute) and isinstance(function.value, ast.Name):
            if function.attr in LIBRARY_NAMES:
                return (TYPED, LIBRARY_CALL, function.value.id, function.attr)
        elif isinstance(function, ast.Name) and function.id in LIBRARY_NAMES:
            return (TYPED, LIBRARY_CALL, function.id, "")
    return None


def display_type(node: ast.expr) -> str | None:
    """The exact type of a display, a comprehension or a constant (None: not one of them)."""
    shown = DISPLAYS.get(type(node))
    if shown is not None:
        return shown
    if isinstance(node, ast.Constant) and type(node.value) in CONSTANTS:
        return type(node.value).__name__
    return None


def default_value(node: ast.expr, literal_value: Callable[[ast.expr], tuple[bool, Any]]) -> tuple[bool, Any]:
    """A parameter's default as the index keeps it: its literal, or ``(TYPED, type)`` for a display."""
    keep, value = literal_value(node)
    if keep:
        return keep, value
    shown = display_type(node)
    return (False, None) if shown is None else (True, (TYPED, shown))


class ScopeLike(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def parent(self) -> int | None: ...

    @property
    def bindings(self) -> Mapping[str, Sequence[object]]: ...


def bindings_seen(scopes: Sequence[ScopeLike], scope: int, name: str) -> Sequence[object]:
    """A name's bindings as code in ``scope`` looks it up (class bodies aside but its own), once
    the module is indexed."""
    current: int | None = scope
    while current is not None:
        found = scopes[current].bindings.get(name)
        if found and (current == scope or scopes[current].kind != "class"):
            return found
        current = scopes[current].parent
    return ()


def checked_type(value: tuple[object, ...], scope: int, scopes: Sequence[ScopeLike], star_import: bool) -> Any:
    """A typed argument (``(TYPED, type, builtin, ...)``, as ``argument_type`` records it) kept as
    ``(TYPED, type)`` when the builtins it calls are the builtins seen from ``scope``; else it is
    not a literal (module_reads.py reads each call's arguments with it)."""
    if value[1] == LIBRARY_CALL:
        return library_result(value, scope, scopes, star_import)
    builtin = not star_import and not any(bindings_seen(scopes, scope, str(name)) for name in value[2:])
    return (TYPED, value[1]) if builtin else NOT_LITERAL


def library_result(value: tuple[object, ...], scope: int, scopes: Sequence[ScopeLike], star_import: bool) -> Any:
    """``(TYPED, type)`` of a call of a ``LIBRARY_BUILDERS`` function: the name called (or the
    module it is an attribute of) bound once, to the import of it, where the call is seen."""
    _typed, _call, name, attribute = value
    bound = tuple(bindings_seen(scopes, scope, str(name)))
    if star_import or len(bound) != 1 or not (isinstance(bound[0], tuple) and bound[0][:1] == ("ref",)):
        return NOT_LITERAL
    qualname = f"{bound[0][1]}.{attribute}" if attribute else str(bound[0][1])
    kind = LIBRARY_BUILDERS.get(qualname)
    return (TYPED, kind) if kind is not None else NOT_LITERAL


def bound_to(
    node: ast.expr, bindings_of: Callable[[str], Sequence[object]]
) -> tuple[str, str, tuple[object, ...]] | None:
    """What a name or ``name.attribute`` is bound to where it is read, when that is one import or
    definition (an unbound name: the builtin): its qualified name, the name read and its bindings."""
    if isinstance(node, ast.Name):
        name, attribute = node.id, ""
    elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        name, attribute = node.value.id, node.attr
    else:
        return None
    bound = tuple(bindings_of(name))
    if not bound and not attribute:
        return f"builtins.{name}", name, bound
    if len(bound) != 1 or not (isinstance(bound[0], tuple) and bound[0][:1] == ("ref",)):
        return None
    return (f"{bound[0][1]}.{attribute}" if attribute else str(bound[0][1])), name, bound


# -- the test in the callee ------------------------------------------------------------------------
class TypeTests:
    """The classes named by the ``isinstance`` tests of one module, and what each name was bound
    to when the test was read: a later binding (``str = ...`` further down, an import in the
    function after the test, a star import) makes every such guard of the module unknown."""

    def __init__(self) -> None:
        self.assumed: list[tuple[int, str, tuple[object, ...]]] = []

    def class_named(self, node: ast.expr, bindings_of: Callable[[str], Sequence[object]], scope: int) -> str | None:
        """The qualified name of a class (or of ``isinstance``) in ``CLASSES``, as seen now."""
        found = bound_to(node, bindings_of)
        if found is None:
            return None
        qualname, name, bound = found
        if qualname not in CLASSES and not (qualname in JUDGED_FUNCTIONS and isinstance(node, ast.Name)):
            return None
        self.assumed.append((scope, name, bound))
        return qualname

    def still_hold(self, scopes: Sequence[ScopeLike], star_import: bool) -> bool:
        """Whether every name read is still bound, for the whole module, as it was when read."""
        if not self.assumed:
            return True
        if star_import:
            return False
        return all(tuple(bindings_seen(scopes, scope, name)) == bound for scope, name, bound in self.assumed)


def isinstance_test(node: ast.expr, class_named: Callable[[ast.expr], str | None]) -> tuple[ast.expr, tuple[str, ...]] | None:
    """``isinstance(subject, C)`` / ``isinstance(subject, (C, D))`` with every class judged: the
    subject and the classes' qualified names."""
    if not (isinstance(node, ast.Call) and len(node.args) == 2 and not node.keywords):
        return None
    if not isinstance(node.func, ast.Name) or node.func.id != "isinstance":
        return None
    subject, tested = node.args
    if isinstance(subject, ast.Starred) or isinstance(tested, ast.Starred):
        return None
    parts = tested.elts if isinstance(tested, ast.Tuple) else [tested]
    if not parts or len(parts) > MAX_CLASSES or class_named(node.func) != ISINSTANCE:
        return None
    classes = tuple(class_named(part) for part in parts)
    if any(qualname is None or qualname in JUDGED_FUNCTIONS for qualname in classes):
        return None
    return subject, tuple(str(qualname) for qualname in classes)


def is_instance(value: object, classes: tuple[str, ...]) -> bool | None:
    """``isinstance(value, classes)`` for a value the evaluator knows (None: unknown)."""
    possible = possible_types(value)
    if possible is None:
        return None
    tested = tuple(CLASSES[qualname] for qualname in classes if qualname in CLASSES)
    if len(tested) != len(classes):
        return None
    answers = set()
    for kind, exact in possible:
        if not exact and not all(qualname.startswith("builtins.") for qualname in classes):
            return None  # a subclass of str may define __fspath__: only builtins are judged
        answers.add(issubclass(kind, tested))
    return answers.pop() if len(answers) == 1 else None


def possible_types(value: object) -> list[tuple[type, bool]] | None:
    """The types a value may have, each with whether it is exact (None: unknown)."""
    if isinstance(value, Instance):  # "bytes|bytearray": one of them (annotated_types.py)
        found: list[tuple[type, bool]] = []
        for type_name in value.type_name.split("|"):
            kind = getattr(builtins, type_name.rstrip("+"), None)
            if not isinstance(kind, type):
                return None
            found.append((kind, not type_name.endswith("+")))
        return found
    if value is None or isinstance(value, (bool, str)):
        return [(type(value), True)]
    if isinstance(value, int):
        return [(int, True), (float, True)]  # ``0.0`` is read as ``0``
    return None


#: The guards that read a module name's binding when the module is indexed (``TypeTests``,
#: ``enums.MemberReads``): ``isinstance`` and ``len`` tests and enum members' values.
TYPE_TESTS = frozenset({"isinstance", "len", "enum"})
ISINSTANCE_TESTS = frozenset({"isinstance", "len"})


def without_type_tests(
    conditions: tuple[tuple[Any, bool], ...], kinds: frozenset[str] = TYPE_TESTS
) -> tuple[tuple[Any, bool], ...]:
    """The guards around a call with each one that holds an ``isinstance`` test (or an enum
    member's value, ``enums.py``) unknown: for a module where a name such a test reads is bound
    otherwise than when it was read."""
    return tuple((("unknown",) if holds_type_test(guard, kinds) else guard, value) for guard, value in conditions)


def holds_type_test(guard: object, kinds: frozenset[str] = TYPE_TESTS) -> bool:
    if not isinstance(guard, tuple) or not guard:
        return False
    return guard[0] in kinds or any(holds_type_test(part, kinds) for part in guard)
