"""Fields of the entries of a module's constant table of records: ``PLANS["acreate_file"]`` is a
``Plan`` built from literals, so a helper given it tests ``plan.sync`` as the literal the entry
holds (litellm ll-b-32-2: ``model_client(core, PLANS["acreate_file"], ...)`` with ``sync`` left
to its default ``False``).

A *record class* is a module-level class decorated ``@dataclasses.dataclass(frozen=True, ...)``
(``dataclass`` resolved to the standard library's; no ``init``, ``kw_only`` or other argument but
``frozen``, ``slots``, ``eq``, ``order``, ``repr``, ``unsafe_hash``, ``match_args``,
``weakref_slot``), with no bases, whose body holds only a docstring, annotated fields (no
``ClassVar``, ``InitVar`` or ``KW_ONLY``), plain class attributes and methods other than
``__init__``, ``__post_init__``, ``__new__``, ``__setattr__``, ``__getattribute__``,
``__getattr__``: its instances' fields are what its generated ``__init__`` was given — by
position in the order the fields are written, or by keyword, else the field's literal default —
and a frozen instance's fields never change.

A *table* is a module-level name bound to ``types.MappingProxyType({...})`` of a dict display
whose keys are string literals (no ``**``): a read-only view of a dict nothing else refers to.
An entry that calls a record class by its name is known; one built otherwise is not. An argument ``TABLE["key"]`` (the module's ``TABLE``,
seen from the call) is then given, beside itself, each field the entry knows as a literal, keyed
``"<position or keyword>.<field>"``; the callee reads them as ``parameter.field``
(``transitive.argument_values``). Anything else stays unknown, and so does everything when the
module binds the table or the class more than once, or through ``global``/``del``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Collection
from typing import NamedTuple

from loopguard.analysis.constants import ScopeLike, bound_once
from loopguard.analysis.literals import literal_value, passed_arguments
from loopguard.models import Literal

#: What a field holds where it is known: its literal
FieldValue = int | bool | str | None
#: dataclass arguments that leave the generated ``__init__`` as the fields say
PLAIN_OPTIONS = frozenset(
    {"frozen", "slots", "eq", "order", "repr", "unsafe_hash", "match_args", "weakref_slot"}
)
#: Methods that could make a field hold something else, or an instance another class's
HOOKS = frozenset(
    {"__init__", "__post_init__", "__new__", "__setattr__", "__getattribute__", "__getattr__"}
)
#: Annotations that make a class attribute not a field (or change the fields after it)
NOT_FIELDS = frozenset({"ClassVar", "InitVar", "KW_ONLY"})
MAX_ENTRIES = 256
#: What an expression is bound to where it is read (a definition or an import), as the index says
QualnameOf = Callable[[ast.expr], "str | None"]


class Field(NamedTuple):
    """A record class's field: its name, whether it has a default, and the default's literal."""

    name: str
    has_default: bool
    known: bool
    default: FieldValue


class Records:
    """The record classes and tables of one module, while the index walks it, and the calls it
    gave entries' fields to (checked once the module's bindings are all known)."""

    def __init__(self) -> None:
        self.classes: dict[str, list[Field]] = {}  # class name -> its fields, in order
        # table name -> key -> (the entry's record class, the fields it knows as literals)
        self.tables: dict[str, dict[str, tuple[str, dict[str, FieldValue]]]] = {}
        self.given: list[tuple[int, str, str]] = []  # (call number, table, record class)

    def note_class(self, node: ast.ClassDef, qualname_of: QualnameOf) -> None:
        """A module-level class: kept when it is a record class (see the module's docstring)."""
        if node.bases or node.keywords or len(node.decorator_list) != 1:
            return
        if not is_frozen_dataclass(node.decorator_list[0], qualname_of):
            return
        fields: list[Field] = []
        for statement in node.body:
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                default = statement.value
                if names_in(statement.annotation) & NOT_FIELDS or isinstance(default, ast.Call):
                    return  # not a field, or ``field(init=False)``, ``field(kw_only=True)``, ...
                known, value = literal_value(default) if default is not None else (False, None)
                fields.append(Field(statement.target.id, default is not None, known, value))
            elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if statement.name in HOOKS:
                    return
            elif not isinstance(statement, (ast.Expr, ast.Assign, ast.Pass)):
                return
        self.classes[node.name] = fields

    def note_table(self, target: ast.expr, value: ast.expr | None, qualname_of: QualnameOf) -> None:
        """``TABLE = MappingProxyType({"key": Record(...), ...})`` at module level."""
        if not (isinstance(target, ast.Name) and isinstance(value, ast.Call)):
            return
        if len(value.args) != 1 or value.keywords:
            return
        display = value.args[0]
        if qualname_of(value.func) != "types.MappingProxyType" or not isinstance(display, ast.Dict):
            return
        if len(display.keys) > MAX_ENTRIES:
            return
        entries: dict[str, tuple[str, dict[str, FieldValue]]] = {}
        for key, entry in zip(display.keys, display.values):
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                return  # ``**other`` (it may hold any key), or a key that is not a string literal
            named = entry.func.id if isinstance(entry, ast.Call) and isinstance(entry.func, ast.Name) else None
            fields = None
            if isinstance(entry, ast.Call) and named in self.classes:
                fields = record_fields(entry, self.classes[named])
            if named is not None and fields is not None:
                entries[key.value] = (named, fields)
            else:  # built otherwise (or a call that raises): not known, whatever came before
                entries.pop(key.value, None)
        if entries:
            self.tables[target.id] = entries

    def fields_given(
        self, node: ast.Call, literals: tuple[Literal, ...], module_bindings_of: Callable[[str], bool],
        number: int,
    ) -> tuple[Literal, ...]:
        """A call's arguments, with the known fields of each ``TABLE["key"]`` it is given
        (``module_bindings_of``: whether a name read at the call is the module's)."""
        if not self.tables:
            return literals
        found: list[Literal] = []
        for key, argument in passed_arguments(node):
            entry = self.entry(argument, module_bindings_of)
            if entry is not None:
                table, (record_class, fields) = entry
                self.given.append((number, table, record_class))
                found += [(f"{key}.{field}", value) for field, value in sorted(fields.items())]
        return (*literals, *found) if found else literals

    def entry(
        self, argument: ast.expr, module_bindings_of: Callable[[str], bool]
    ) -> tuple[str, tuple[str, dict[str, FieldValue]]] | None:
        """(the table, the entry's record class and known fields) of an argument ``TABLE["key"]``."""
        if not (isinstance(argument, ast.Subscript) and isinstance(argument.value, ast.Name)):
            return None
        table, key = argument.value.id, argument.slice
        if table not in self.tables or not isinstance(key, ast.Constant) or not isinstance(key.value, str):
            return None
        found = self.tables[table].get(key.value)
        if found is None or not module_bindings_of(table):
            return None
        return table, found

    def changed(self, module: ScopeLike, changed: Collection[str]) -> set[int]:
        """The calls given fields of a table or a class the module binds more than once, or that a
        ``global`` statement, a ``del`` or a later star import may change (``changed``)."""
        return {
            number
            for number, table, record_class in self.given
            if not all(bound_once(name, module, changed) for name in (table, record_class))
        }


def without_fields(literals: tuple[Literal, ...]) -> tuple[Literal, ...]:
    """A call's arguments without the fields ``Records.fields_given`` added."""
    return tuple((key, value) for key, value in literals if not (isinstance(key, str) and "." in key))


def record_fields(call: ast.Call, fields: list[Field]) -> dict[str, FieldValue] | None:
    """The fields an instance built by ``call`` holds as literals (None: the call would fail, or
    passes ``*``/``**``)."""
    names = [field.name for field in fields]
    given: dict[str, ast.expr] = {}
    if len(call.args) > len(names) or any(isinstance(argument, ast.Starred) for argument in call.args):
        return None
    given.update(zip(names, call.args))
    for keyword in call.keywords:
        if keyword.arg is None or keyword.arg not in names or keyword.arg in given:
            return None
        given[keyword.arg] = keyword.value
    values: dict[str, FieldValue] = {}
    for field in fields:
        if field.name in given:
            keep, value = literal_value(given[field.name])
            if keep:
                values[field.name] = value
        elif not field.has_default:
            return None  # a required field left out: the call raises
        elif field.known:
            values[field.name] = field.default
    return values


def is_frozen_dataclass(decorator: ast.expr, qualname_of: QualnameOf) -> bool:
    """``@dataclasses.dataclass(frozen=True, ...)`` with only the plain options."""
    if not isinstance(decorator, ast.Call) or decorator.args:
        return False
    if qualname_of(decorator.func) != "dataclasses.dataclass":
        return False
    options = {keyword.arg: keyword.value for keyword in decorator.keywords}
    if None in options or not set(options) <= PLAIN_OPTIONS:
        return False
    frozen = options.get("frozen")
    return isinstance(frozen, ast.Constant) and frozen.value is True


def names_in(annotation: ast.expr) -> set[str]:
    """The names and attribute names an annotation mentions (``ClassVar``, ``dataclasses.InitVar``)."""
    found: set[str] = set()
    for node in ast.walk(annotation):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.update(part.strip("[]., ") for part in node.value.replace("[", " ").split())
    return found
