"""Types a test or a cast gives a name: ``isinstance`` narrowing and ``typing.cast``.

``if isinstance(client, AWSSecretsManagerV2): client.sync_read_secret(...)`` calls that class's
method, whatever ``client`` is elsewhere (a parameter typed ``Any``, or not annotated). The index
keeps, while it walks a branch where such a test holds, the names it narrows; a call recorded there
sees the name as ``("typed", isinstance, class, ("name", name))`` — an ``Expr`` the resolver turns
into an instance of ``class`` when ``isinstance`` is the builtin (a local function of that name is
not), and into the plain name otherwise. ``typing.cast(T, x)`` / ``cast("T", x)`` is the same shape
with the call as its fallback (``expressions.cast_of``).

Where a narrowing holds, and why it is sound:

* the body of ``if isinstance(x, T):`` (and of ``elif``), of ``case T(...):`` in ``match x:``, the ``else`` of ``if not isinstance(...)``,
  the operands after ``isinstance(x, T) and ...`` (after ``not isinstance(x, T) or ...``), the body
  of ``... if isinstance(x, T) else ...``, what follows a comprehension's ``if isinstance(x, T)``,
  and the rest of the block after ``if not isinstance(x, T): return`` (or ``raise``/``continue``/
  ``break``) or ``assert isinstance(x, T)``;
* only for a plain name, of one class (a tuple of classes is a union: unknown), in the scope the
  test is written in and the comprehensions inside it — not in a nested ``def`` or ``lambda``,
  which may run after the name changed;
* never for a name that the region (the branch, or the rest of the block) binds again anywhere: the
  region is entered only through the test, so every path from the test to a use inside it that
  changes the name passes a binding inside it. Outside the region the name keeps its own type:
  unknown stays unknown.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from typing import Final

from loopguard.analysis.equalities import READING_METHODS, Equalities, by_answer, equalities
from loopguard.analysis.expressions import expr_of
from loopguard.analysis.values import CallFunc, Expr, Value

#: A name -> the expression it stands for where a narrowing holds (a ``TypedExpr``).
Narrowed = dict[str, Expr]

#: What the function of a ``TypedExpr`` must resolve to for the type to hold.
TYPE_ASSERTIONS: Final[frozenset[Value]] = frozenset(
    {("ref", "builtins.isinstance"), ("ref", "typing.cast"), ("ref", "typing_extensions.cast")}
)


def narrowings(test: ast.expr) -> tuple[Narrowed, Narrowed]:
    """The names ``test`` narrows where it is true, and where it is false."""
    return by_answer(test, lambda simple: ({**done_narrowing(simple), **isinstance_narrowing(simple)}, {}))


def narrowed_and_pinned(
    test: ast.expr, read: int | None = None
) -> tuple[tuple[Narrowed, Narrowed], tuple[Equalities, Equalities]]:
    """``narrowings(test)`` and ``equalities(test)``, each taking the test apart only when a
    simple test in it is one it reads (most tests are neither: a name, an attribute, a call of
    anything but ``isinstance`` or ``.done()``, another comparison, and ``not``/``and``/``or``
    of those); ``read``: ``readers_of(test)``, when the caller has it."""
    if read is None:
        read = readers_of(test)
    return (
        narrowings(test) if read & NARROWS else ({}, {}),
        equalities(test) if read & PINS else ({}, {}),
    )


#: ``readers_of``: a simple test ``narrowings`` reads, one ``equalities`` reads
NARROWS, PINS = 1, 2
#: The comparisons that may pin a name (``equalities.compared``)
PINNING_OPERATORS: Final = frozenset({ast.Eq, ast.NotEq, ast.Is, ast.IsNot})


def readers_of(test: ast.expr) -> int:
    """Which of ``narrowings`` (``NARROWS``: ``isinstance(a, b)``, ``x.done()``) and
    ``equalities`` (``PINS``: one comparison of equality or identity with a constant) may find
    something in a simple test of ``test`` (through ``not``, ``and``, ``or``: ``by_answer``'s
    cases)."""
    # (told apart by class, as ``ast.parse`` makes them: asked of every test the index walks)
    if test.__class__ is ast.Compare:
        ops = test.ops
        pins = (
            len(ops) == 1 and ops[0].__class__ in PINNING_OPERATORS
            and (test.left.__class__ is ast.Constant or test.comparators[0].__class__ is ast.Constant)
        )
        return PINS if pins else 0
    if test.__class__ is ast.Call:
        func = test.func
        narrows = (func.__class__ is ast.Attribute and func.attr == "done") or (
            func.__class__ is ast.Name and func.id == "isinstance"
        )
        return NARROWS if narrows else 0
    if test.__class__ is ast.UnaryOp:
        return readers_of(test.operand) if test.op.__class__ is ast.Not else 0
    if test.__class__ is ast.BoolOp:
        read = 0
        for value in test.values:
            read |= readers_of(value)
        return read
    return 0


def done_narrowing(test: ast.expr) -> Narrowed:
    """``name.done()``: {name: the name as settled} — a ``concurrent.futures.Future`` that is
    done does not wait in ``result()`` (the resolver decides by the name's type, never by the
    method's name alone)."""
    if not isinstance(test, ast.Call) or test.args or test.keywords:
        return {}
    func = test.func
    if not isinstance(func, ast.Attribute) or func.attr != "done":
        return {}
    # a name, or an attribute path (``load.encoding.done()``): a future once done stays done, so
    # only binding the path again (checked by without_rebound) can make it another future
    path = dotted(func.value)
    return {} if path is None else {path: ("settled", expr_of(func.value))}


def dotted(node: ast.expr) -> str | None:
    """``a`` or ``a.b.c`` as a string (None for anything else). Not ``expr_path(expr_of(node))``:
    ``expr_of`` sees through ``await`` and the walrus, and ``(await x).done()`` tests the awaited
    value, not ``x``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def isinstance_narrowing(test: ast.expr) -> Narrowed:
    """``isinstance(name, Class)`` (or a one-class tuple): {name: the name typed as Class}."""
    if not isinstance(test, ast.Call) or len(test.args) != 2 or test.keywords:
        return {}
    if not isinstance(test.func, ast.Name) or test.func.id != "isinstance":
        return {}
    subject, classes = test.args
    if isinstance(subject, ast.NamedExpr):  # ``isinstance(s := make(), C)`` narrows ``s``
        subject = subject.target
    if isinstance(classes, ast.Tuple) and len(classes.elts) == 1:
        classes = classes.elts[0]
    if not isinstance(subject, ast.Name) or not isinstance(classes, (ast.Name, ast.Attribute)):
        return {}
    return {subject.id: ("typed", expr_of(test.func), expr_of(classes), ("name", subject.id))}


#: The function of a ``TypedExpr`` a class pattern makes: a ``match`` tests with the builtin
#: ``isinstance`` whatever the module calls ``isinstance``.
BUILTIN_ISINSTANCE: Expr = ("val", ("ref", "builtins.isinstance"))


def pattern_class(pattern: ast.pattern) -> ast.expr | None:
    """The class a ``case`` pattern matches instances of: ``C()``, ``C(x=...)``, ``C() as c``."""
    if isinstance(pattern, ast.MatchAs) and pattern.pattern is not None:
        pattern = pattern.pattern
    if isinstance(pattern, ast.MatchClass) and isinstance(pattern.cls, (ast.Name, ast.Attribute)):
        return pattern.cls
    return None


def pattern_narrowing(subject: ast.expr, pattern: ast.pattern) -> Narrowed:
    """``match name:`` / ``case C(...):`` narrows ``name`` to ``C`` in that case."""
    matched = pattern_class(pattern)
    if not isinstance(subject, ast.Name) or matched is None:
        return {}
    return {subject.id: ("typed", BUILTIN_ISINSTANCE, expr_of(matched), ("name", subject.id))}


def captured_as(pattern: ast.MatchAs) -> Expr | None:
    """What ``case C(...) as name`` binds ``name`` to: an instance of ``C``."""
    matched = pattern_class(pattern)
    return None if matched is None else ("typed", BUILTIN_ISINSTANCE, expr_of(matched), ("other",))


class Walked(list[ast.AST]):
    """Every node of a region, each once (``walked``): the readers below take a region's roots
    or this, and walk the roots only once however many of them ask (a test's narrowings, its
    pins, the paths and the mappings among them each read the same region)."""


#: Node class -> the fields that may hold nodes (``walked``), filled as classes are met
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def walked(region: Iterable[ast.AST]) -> Walked:
    """The nodes of ``region`` and of everything below them (what ``ast.walk`` of each root
    gives, in another order), without ``ast.walk``'s two generators per node."""
    if isinstance(region, Walked):
        return region
    nodes = Walked()
    pending = list(region)
    while pending:
        node = pending.pop()
        nodes.append(node)
        kind = node.__class__
        fields = _CHILD_FIELDS.get(kind)
        if fields is None:
            fields = _CHILD_FIELDS[kind] = tuple(kind._fields)
        for name in fields:
            value = getattr(node, name, None)
            if value.__class__ is list:
                pending.extend(item for item in value if isinstance(item, ast.AST))
            elif isinstance(value, ast.AST):
                pending.append(value)
    return nodes


def without_rebound(narrowed: Narrowed, region: Iterable[ast.AST]) -> Narrowed:
    """The narrowings that hold throughout ``region``: not of a name it binds anywhere."""
    if not narrowed:
        return narrowed
    bound = bound_names(region, set(narrowed))
    return {name: typed for name, typed in narrowed.items() if name not in bound}


#: The nodes that can bind a name (``bound_names``' cases)
BINDING_NODES: Final = frozenset({
    ast.Name, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.ExceptHandler, ast.Import,
    ast.ImportFrom, ast.Global, ast.Nonlocal, ast.MatchAs, ast.MatchStar,
})


def bound_names(region: Iterable[ast.AST], names: set[str]) -> set[str]:
    """Which of ``names`` the code in ``region`` binds (assignment, ``for``/``with`` target,
    walrus, import, ``def``/``class``, ``except ... as``, ``del``, ``global``/``nonlocal``)."""
    found: set[str] = set()
    region = walked(region)
    paths = {name for name in names if "." in name}  # ``a.b``: bound again with ``a`` or ``a.b``
    if paths:
        found |= {path for path in paths if bound_names(region, {path.partition(".")[0]})}
        found |= attribute_paths_bound(region, paths)
    for node in region:
        if node.__class__ not in BINDING_NODES:  # most nodes: not through the cases below
            continue
        match node:
            case ast.Name(id=name, ctx=ast.Store() | ast.Del()) if name in names:
                found.add(name)
            case ast.FunctionDef(name=name) | ast.AsyncFunctionDef(name=name) | ast.ClassDef(
                name=name
            ) if name in names:
                found.add(name)
            case ast.ExceptHandler(name=str() as name) if name in names:
                found.add(name)
            case ast.Import(names=aliases) | ast.ImportFrom(names=aliases):
                imported = {(a.asname or a.name).partition(".")[0] for a in aliases}
                found |= imported & names
            case ast.Global(names=declared) | ast.Nonlocal(names=declared):
                found |= set(declared) & names
            case ast.MatchAs(name=str() as name) | ast.MatchStar(name=str() as name) if name in names:
                found.add(name)
    return found


def holding_throughout(pinned: Equalities, region: Iterable[ast.AST]) -> Equalities:
    """The pins that hold throughout ``region``: not of a name it binds, nor of a mapping it may
    change."""
    if not pinned:
        return pinned
    names = {name for name, _key in pinned}
    region = walked(region)
    changed = bound_names(region, names)
    mappings = {name for name, key in pinned if key is not None} - changed
    if mappings:
        changed |= used_other_than_read(region, mappings)
    return {subject: value for subject, value in pinned.items() if subject[0] not in changed}


def used_other_than_read(region: Iterable[ast.AST], mappings: set[str]) -> set[str]:
    """Which of ``mappings`` the region uses any way but reading them (equalities.py)."""
    read: set[int] = set()  # ids of the Name nodes used only to read
    uses: list[ast.Name] = []
    for node in walked(region):
        if isinstance(node, ast.Name) and node.id in mappings:
            uses.append(node)
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            read.add(id(node.value))
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in READING_METHODS:
                read.add(id(func.value))
            read.update(id(keyword.value) for keyword in node.keywords if keyword.arg is None)
        elif isinstance(node, ast.Compare):
            read.update(id(operand) for operand in (node.left, *node.comparators))
    return {use.id for use in uses if id(use) not in read}


def attribute_paths_bound(region: Iterable[ast.AST], paths: set[str]) -> set[str]:
    """Which attribute ``paths`` (``a.b``) the region assigns or deletes (``a.b = ...``), or any
    path under them (``a.b.c = ...`` rebinds nothing of ``a.b``, but ``a = ...`` is seen above)."""
    found: set[str] = set()
    for node in walked(region):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, (ast.Store, ast.Del)):
            path = dotted(node)
            found |= {p for p in paths if path is not None and (path == p or p.startswith(path + "."))}
    return found


def substituted(func: CallFunc, narrowed: Mapping[str, Expr]) -> CallFunc:
    """A recorded call's expression with each narrowed name standing for its typed expression."""
    if not narrowed:
        return func
    match func:
        case ("arg", function, argument):
            return ("arg", typed_names(function, narrowed), typed_names(argument, narrowed))
        case ("iterate", iterable):
            return ("iterate", typed_names(iterable, narrowed))
        case ("enter", manager):
            return ("enter", typed_names(manager, narrowed))
        case (("get" | "set" | "del") as kind, ("attr", base, name)):
            return (kind, ("attr", typed_names(base, narrowed), name))
        case _:
            return typed_names(func, narrowed)


def expr_path(expr: Expr) -> str | None:
    """The dotted path an attribute expression reads (``("attr", ("name", "a"), "b")``: ``a.b``)."""
    match expr:
        case ("name", name):
            return name
        case ("attr", base, name):
            base_path = expr_path(base)
            return None if base_path is None else f"{base_path}.{name}"
    return None


def typed_names(expr: Expr, narrowed: Mapping[str, Expr]) -> Expr:
    """``expr`` with each narrowed name replaced (never inside a typed expression, whose class and
    fallback are resolved as written)."""
    match expr:
        case ("name", name):
            return narrowed.get(name, expr)
        case ("attr", base, name):
            path = expr_path(expr)
            if path is not None and path in narrowed:
                return narrowed[path]
            return ("attr", typed_names(base, narrowed), name)
        case ("call", inner):
            return ("call", typed_names(inner, narrowed))
        case ("sub", inner):
            return ("sub", typed_names(inner, narrowed))
        case ("div", inner):
            return ("div", typed_names(inner, narrowed))
        case ("partial", inner):
            return ("partial", typed_names(inner, narrowed))
        case ("built", inner, literals):
            return ("built", typed_names(inner, narrowed), literals)
        case ("on", inner, argument):
            return ("on", typed_names(inner, narrowed), typed_names(argument, narrowed))
    return expr
