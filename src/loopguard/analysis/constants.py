"""Module constants read as the literals they hold: ``NAME: Final = "API_KEY"`` at module level
then ``get_secret(NAME)`` in a function is ``get_secret("API_KEY")``, exactly as if written inline.

The index records a call's argument that is a bare name as ``(PASSED, name)``, the caller's own
variable. When no scope between the call and the module binds that name, it is the module's global;
when the module binds it exactly once, to a literal, and nothing else can rebind it (no ``global``
statement for it anywhere in the module, no ``del`` of it, no star import after it), every read of it that
does not raise ``NameError`` gives that literal. Anything else keeps ``(PASSED, name)``: unknown.

A constant of another module of the project is read the same way, in two steps. The index marks an
argument that names a module-level import bound once (``from .settings import NAME`` then
``get_secret(NAME)``, or ``import app.settings as settings`` then ``get_secret(settings.NAME)``) as
``(IMPORTED, "app.settings.NAME")``, and each module exports its constants and such imports
(``exported_names``). Once every module is known, the project reads the marker as the literal that
module binds, following re-exports (``Project.imported_constant``); anything else there is unknown.

Not seen: an assignment from another module (``settings.NAME = ...``), ``globals()[...]``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Protocol, TypeGuard, TypeVar

from loopguard.models import FLAGS, NOT_LITERAL, PASSED, Literal
from loopguard.models import IMPORTED as IMPORTED_MARKER

ConstantValue = int | bool | str | None
Value = TypeVar("Value")
ArgumentValue = int | bool | str | None | tuple[str, ...]  # the value half of a ``Literal``
#: ``(IMPORTED, qualname)``: the argument is the module-level name ``qualname`` of another module,
#: bound there once (a call's argument; in a module's exports, a name imported once). Defined in
#: models.py, beside ``FLAGS``, for the catalogue's conditions that read it (``NonWaiting.flag``).
IMPORTED = IMPORTED_MARKER
#: In a module's exports: the name is a project import bound once (a possible re-export).
REEXPORT = (IMPORTED,)


class ScopeLike(Protocol):
    """What is read of the index's ``Scope`` (index.py imports this module, not the reverse)."""

    @property
    def parent(self) -> int | None: ...

    @property
    def bindings(self) -> Mapping[str, Sequence[object]]: ...


def module_constants(
    candidates: Mapping[str, Value], module: ScopeLike, changed: Collection[str]
) -> dict[str, Value]:
    """The module constants among ``candidates`` (the names a module-level ``NAME = <literal>``
    or ``NAME: T = <literal>`` binds): those the module binds once and that nothing else may
    rebind (``changed``: the names of ``global`` statements and ``del``)."""
    return {name: value for name, value in candidates.items() if bound_once(name, module, changed)}


def bound_once(name: str, module: ScopeLike, changed: Collection[str]) -> bool:
    """Whether the module binds ``name`` exactly once and nothing else may rebind it (``changed``:
    the names of ``global`` statements, ``del`` and star imports, ``index.changed_names``)."""
    return name not in changed and len(module.bindings.get(name, ())) == 1


def module_imports(module: ScopeLike, changed: Collection[str], own: str) -> dict[str, ArgumentValue]:
    """Name -> ``(IMPORTED, qualname)`` for the names the module binds exactly once, by an import
    (``from app.settings import NAME``, ``import app.settings as settings``), that nothing else
    may rebind. A ``def`` or ``class`` binds the same way, to its own name in the module
    (``own``): never a constant, so not kept."""
    found: dict[str, ArgumentValue] = {}
    prefix = f"{own}."
    for name, bindings in module.bindings.items():
        if len(bindings) != 1 or name in changed:  # (``bound_once``, its bindings at hand)
            continue
        binding = bindings[0]
        # (a ``ref`` binding is a pair of strings: no ``len`` and ``str`` calls for each name the
        # module binds once, 0.2 % of index + summarize for every 10th homeassistant file)
        if isinstance(binding, tuple) and binding[0] == "ref":
            qualname = binding[1]
            if qualname != prefix + name:  # not its own ``def`` or ``class``
                found[name] = (IMPORTED, qualname)
    return found


def exported_names(
    constants: Mapping[str, ArgumentValue], project_tops: Collection[str]
) -> dict[str, ArgumentValue]:
    """What a module's summary exports for other modules' arguments: its constants, and the names
    it imports once from the project (a re-export: ``from .settings import NAME`` in a package's
    ``__init__``) as ``REEXPORT`` — what they import is in the summary's bindings already.
    Imports from elsewhere can never be a project constant: not kept."""
    found: dict[str, ArgumentValue] = {}
    for name, value in constants.items():
        # (``is_imported``, inlined: most of a module's names are imports)
        if not (value.__class__ is tuple and len(value) == 2 and value[0] == IMPORTED):
            found[name] = value
        elif value[1].partition(".")[0] in project_tops:
            found[name] = REEXPORT
    return found


def reexported(bindings: Sequence[object]) -> str | None:
    """The qualified name a ``REEXPORT`` stands for: the module's one binding of the name, as a
    summary holds it (a reference into another module) or as the index does (the import)."""
    match bindings:
        case [("closed", ("defer", ("g", str() as qualname)))] | [("ref", str() as qualname)]:
            return qualname
    return None


def is_imported(value: object) -> TypeGuard[tuple[str, str]]:
    """An ``(IMPORTED, qualname)`` marker."""
    return isinstance(value, tuple) and len(value) == 2 and value[0] == IMPORTED


def read_constant(
    value: ArgumentValue,
    scope: int,
    scopes: Sequence[ScopeLike],
    names: Mapping[str, ArgumentValue],
) -> ArgumentValue:
    """The literal a ``(PASSED, name)`` argument holds when ``name`` is a module constant seen
    from ``scope``, or the marker of the import it names; for ``(PASSED, "module.NAME")`` the
    marker of ``NAME`` in the module imported once as ``module`` (else not a literal: a dotted
    name is not the caller's variable, but for ``self.x`` in a method). Any other value unchanged."""
    if isinstance(value, tuple) and value[:1] == (FLAGS,):  # ``A | B``: each name as an import
        read = (read_constant((PASSED, name), scope, scopes, names) for name in value[1:])
        return (FLAGS, *(found[1] if is_imported(found) else "?" for found in read))
    if not (isinstance(value, tuple) and len(value) == 2 and value[0] == PASSED):
        return value
    base, dot, attribute = value[1].partition(".")
    member = attribute.removesuffix(".value") if attribute.endswith(".value") else None
    if member is not None and not bound_below_module(base, scope, scopes):
        return enum_value(base, member, names)
    if base not in names or bound_below_module(base, scope, scopes):
        # ``self.x``: an attribute of the method's receiver, which the call graph may know (init_flow.py;
        # not a class's constant ``self.NAME`` or a dunder, which it does not follow)
        followed = not attribute[:1].isupper() and not attribute.startswith("__") and "." not in attribute
        return NOT_LITERAL if dot and not (followed and is_own_receiver(base, scope, scopes)) else value
    found = names[base]
    if not dot:
        return found
    return (IMPORTED, f"{found[1]}.{attribute}") if is_imported(found) else NOT_LITERAL


def enum_value(owner: str, member: str, names: Mapping[str, ArgumentValue]) -> ArgumentValue:
    """``Kind.MEMBER.value``: the literal of an enum of the module (exported as ``Kind.MEMBER``),
    or the marker of the member of an enum class imported once (``module.Kind.MEMBER.value``,
    which ``Project.imported_constant`` reads only as an enum member); else not a literal."""
    if "." in member:
        return NOT_LITERAL
    if f"{owner}.{member}" in names:
        return names[f"{owner}.{member}"]
    found = names.get(owner)
    return (IMPORTED, f"{found[1]}.{member}.value") if found is not None and is_imported(found) else NOT_LITERAL


def is_own_receiver(name: str, scope: int, scopes: Sequence[ScopeLike]) -> bool:
    """Whether ``name`` is, where ``scope`` reads it, a method's receiver never bound again."""
    current: int | None = scope
    while current is not None and current != 0:
        found = scopes[current].bindings.get(name)
        if found:
            return len(found) == 1 and isinstance(found[0], tuple) and found[0][:1] == ("self",)
        current = scopes[current].parent
    return False


def bound_below_module(name: str, scope: int, scopes: Sequence[ScopeLike]) -> bool:
    """Whether a scope from ``scope`` out to (not including) the module binds ``name``: a
    parameter, a local, a class attribute or a comprehension variable of that name hides the
    module's. Class scopes count too, though methods do not see them: when in doubt, unknown."""
    current: int | None = scope
    while current is not None and current != 0:
        if name in scopes[current].bindings:
            return True
        current = scopes[current].parent
    return False


def with_imported(
    literals: tuple[Literal, ...], read: Callable[[str], ArgumentValue]
) -> tuple[Literal, ...]:
    """A call's arguments with each ``(IMPORTED, qualname)`` read as the constant it names
    (``read``: the project's ``imported_constant``, once every module is known)."""
    for _key, value in literals:  # (a loop, not ``any`` of a generator: asked for every node made)
        if is_imported(value):
            break
    else:
        return literals
    return tuple((key, read(value[1]) if is_imported(value) else value) for key, value in literals)
