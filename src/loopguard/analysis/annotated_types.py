"""The type a caller's own variable has when it is annotated with a builtin class and passed on.

``transform(content: bytes)`` calling ``iter_lines(content)`` never runs the ``open`` that
``iter_lines`` does only ``if isinstance(content, PathLike)``, after arms for ``bytes`` and
``str`` that return (litellm ll-a-37-1). The index records such an argument as ``(PASSED, name,
types)``: the caller's variable, and the builtin classes its annotation allows
(``"bytes|str"`` for ``bytes | str``). The call graph reads it as an ``argument_types.Instance`` of
one of them only where it knows no value of its own for the variable (``transitive.passed_on``,
``argument_values``): a literal the caller was given wins. It gives the type only to a parameter
whose type the callee's guards test (``isinstance``, on it or on a local that starts as it:
``CallGraph.type_tested``): to any other, it would make a node of the call graph that decides
nothing.

An annotation counts only where it names builtin classes and nothing else, and where the variable
cannot hold anything but what was passed for it:

* the annotation is a builtin class's name (``ANNOTATED``), or ``A | B`` of them, possibly
  written as a string; ``Optional[...]``, ``X | None``, ``Any``, a class of the project or a
  library, a generic (``list[str]``: a list, but the index reads it apart) are not read. A union
  decides an ``isinstance`` test only when every member gives the same answer
  (``argument_types.is_instance``);
* the class names are the builtins where the function is written (no binding of ``bytes`` in
  the module or an enclosing scope, no star import);
* the variable is a parameter, or a local declared with its annotation, bound exactly once in
  its function — not assigned again anywhere in it (before or after the call: the index does not
  order them), and not declared ``nonlocal`` by a function nested in the module.

What an annotation allows is what a type checker accepts for it: ``float`` takes an ``int`` (and
so a ``bool``), ``int`` a ``bool`` (PEP 484's numeric tower); ``bytes`` is ``bytes`` alone (PEP
688 ended the promotion of ``bytearray`` and ``memoryview`` to ``bytes``; pyright and mypy 2
check it so by default). Within those, the value is taken to be of exactly those classes: a
subclass of ``str`` or ``dict`` that is also a path (``__fspath__``) is not something code passes
for a ``str``.

Annotations are trusted only to leave out branches (an ``isinstance`` test that is false for
every class allowed); nothing is reported because of one.
"""

from __future__ import annotations

import ast
import functools
import sys
from collections.abc import Sequence

from loopguard.analysis.argument_types import TYPED, ScopeLike, bindings_seen
from loopguard.models import PASSED

#: A builtin class named by an annotation -> the classes of the values it accepts.
ANNOTATED: dict[str, tuple[str, ...]] = {
    "str": ("str",),
    "bytes": ("bytes",),
    "bytearray": ("bytearray",),
    "bool": ("bool",),
    "int": ("int", "bool"),
    "float": ("float", "int", "bool"),
    "complex": ("complex", "float", "int", "bool"),
    "dict": ("dict",),
    "list": ("list",),
    "tuple": ("tuple",),
    "set": ("set",),
    "frozenset": ("frozenset",),
}
#: The most classes one ``A | B | ...`` annotation is read as.
MAX_MEMBERS = 8
#: The scope kinds whose variables are read (a module's may be rebound through ``global``).
FUNCTION_KINDS = frozenset({"function", "coroutine"})


def annotated_names(annotation: ast.expr) -> str | None:
    """The builtin classes an annotation of builtin classes names, as ``"bytes|str"`` (one string
    for each such annotation: the index keeps one per annotated variable); None for any other."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value.strip(), mode="eval").body
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            return None
    names: list[str] = []
    pending: list[ast.expr] = [annotation]
    while pending and len(names) <= MAX_MEMBERS:
        node = pending.pop()
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            pending += [node.right, node.left]
        elif isinstance(node, ast.Name) and node.id in ANNOTATED:
            names.append(node.id)
        else:
            return None
    if pending or not names:
        return None
    return sys.intern("|".join(dict.fromkeys(names)))


@functools.cache
def annotated_classes(names: str) -> str:
    """The classes the values of an annotation naming ``names`` may have (``"float"`` ->
    ``"float|int|bool"``)."""
    return sys.intern("|".join(dict.fromkeys(kind for name in names.split("|") for kind in ANNOTATED[name])))


class AnnotatedVariables:
    """The variables of a module's functions annotated with builtin classes, while the index
    walks it (read once the module's bindings are all known: ``module_reads.passed_value``)."""

    def __init__(self) -> None:
        # scope -> name -> the builtin classes its annotation names (``annotated_names``)
        self.found: dict[int, dict[str, str]] = {}
        self.names: set[str] = set()  # the names ``found`` holds, in any scope
        self.nonlocal_names: set[str] = set()

    def note(self, scope: int, name: str, annotation: ast.expr | None) -> None:
        """A parameter or a local of ``scope`` declared with ``annotation``."""
        if isinstance(annotation, ast.Name):  # the commonest: ``annotated_names``' answer, no loop
            found = sys.intern(annotation.id) if annotation.id in ANNOTATED else None
        elif isinstance(annotation, (ast.BinOp, ast.Constant)):
            found = annotated_names(annotation)
        else:
            return  # an attribute, a subscript (``Optional[...]``, a generic), None: never builtins
        if found is not None:
            self.found.setdefault(scope, {})[name] = found
            self.names.add(name)

    def declared_nonlocal(self, names: list[str]) -> None:
        """``nonlocal name`` somewhere in the module: a nested function may assign the name."""
        self.nonlocal_names.update(names)

    def types_seen(self, scope: int, name: str, scopes: Sequence[ScopeLike], star_import: bool) -> str | None:
        """``"float|int|bool"`` for a variable read in ``scope`` that is one of the
        annotated ones, bound once, with the builtins its annotation names unshadowed."""
        if star_import or name in self.nonlocal_names:
            return None
        current: int | None = scope
        while current is not None:  # the scope the name is read from (class bodies aside)
            bindings = scopes[current].bindings.get(name)
            if bindings and (current == scope or scopes[current].kind != "class"):
                break
            current = scopes[current].parent
        if current is None or scopes[current].kind not in FUNCTION_KINDS:
            return None
        found = self.found.get(current, {}).get(name)
        if found is None or len(scopes[current].bindings[name]) != 1:
            return None
        if any(bindings_seen(scopes, current, builtin) for builtin in found.split("|")):
            return None
        return annotated_classes(found)


def annotated_type(value: object) -> tuple[str, str] | None:
    """``(TYPED, types)`` for an argument ``module_reads.passed_value`` typed (None: not one)."""
    if isinstance(value, tuple) and len(value) == 3 and value[0] == PASSED and isinstance(value[2], str):
        return (TYPED, value[2])
    return None
