"""Sync functions that do their work once per process: until a module global is set.

The common hand-written memo of a getter (issue 12, "a module global filled once")::

    _client = None

    def get_client():
        global _client
        if _client is None:           # or: if not _ready: ... _ready = True
            _client = make_client()   # blocks, the first time only
        return _client

and its early-return form (``if _client is not None: return _client`` and the work after it). The
work runs again only while the global stays unset, so a chain through such a function blocks at most
once per process, like one through ``functools.cache``: it is a memoised helper (``CallGraph``:
never reported under its blocking call's code, only under the opt-in ``LG011``, and not at all
when a module calls it while it is imported).

What counts, kept narrow so that a function doing work on every call is never taken for one:
- the function declares the tested name ``global`` at the top of its body;
- every statement outside the memo's region makes no call (``global``, a docstring, ``return
  _client``);
- the region sets the global on every path through its top level (directly, or inside a ``with``
  block or an ``if`` that tests the global again: double-checked locking), to a value that is not
  the unset one (not ``None``; for a truth test, not a falsy literal or an empty display). A
  ``try`` around the assignment does not count: a failure leaves the global unset and the next
  call blocks again.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

#: A function's position, as the index records it (``def`` line and column).
Position = tuple[int, int]


def filled_once(tree: ast.Module, source: bytes) -> frozenset[Position]:
    """The positions of the sync functions of ``tree`` (module level, or methods of module-level
    classes) that do their work only until a module global is set."""
    if b"global" not in source:  # most modules: no ``global`` statement at all
        return frozenset()
    return frozenset(
        (function.lineno, function.col_offset) for function in functions_of(tree) if is_filled_once(function.body)
    )


def functions_of(tree: ast.Module) -> Iterator[ast.FunctionDef]:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            yield node
        elif isinstance(node, ast.ClassDef):
            yield from (item for item in node.body if isinstance(item, ast.FunctionDef))


def is_filled_once(body: list[ast.stmt]) -> bool:
    declared = {name for statement in body if isinstance(statement, ast.Global) for name in statement.names}
    if not declared:
        return False
    for at, statement in enumerate(body):
        if isinstance(statement, ast.If) and not statement.orelse:
            tested = global_test(statement.test, declared)
            if tested is None:
                continue
            name, kind, true_when_set = tested
            if not true_when_set and sets_on_every_path(statement.body, name, kind):
                return no_calls(body[:at]) and no_calls(body[at + 1 :])
            if true_when_set and returns_at_once(statement.body):
                return no_calls(body[:at]) and sets_on_every_path(body[at + 1 :], name, kind)
    return False


#: What a test of the global reads: ``NONE`` (``g is None``: set is anything but ``None``),
#: ``TRUTH`` (``not g``, ``g is False``: set is a true value) or ``TRUE`` (``g is True``: set is
#: ``True`` itself).
NONE, TRUTH, TRUE = "none", "truth", "true"


def global_test(test: ast.expr, declared: set[str]) -> tuple[str, str, bool] | None:
    """A test of a declared global: its name, what the test reads (``NONE``, ``TRUTH``, ``TRUE``)
    and whether the test is true once the global is set (``g is not None``, ``g``) or while it is
    not (``g is None``, ``not g``)."""
    match test:
        case ast.UnaryOp(op=ast.Not(), operand=ast.Name(id=name)):
            found = (name, TRUTH, False)
        case ast.Name(id=name):
            found = (name, TRUTH, True)
        case ast.Compare(left=ast.Name(id=name), ops=[op], comparators=[ast.Constant(value=None)]):
            if not isinstance(op, (ast.Is, ast.Eq, ast.IsNot, ast.NotEq)):
                return None
            found = (name, NONE, isinstance(op, (ast.IsNot, ast.NotEq)))
        case ast.Compare(left=ast.Name(id=name), ops=[ast.Is()], comparators=[ast.Constant(value=bool(flag))]):
            found = (name, TRUE, True) if flag else (name, TRUTH, False)
        case _:
            return None
    return found if found[0] in declared else None


def unset_test_of(test: ast.expr, name: str) -> bool:
    """Whether ``test`` is true while the global ``name`` is not set, in any of the forms."""
    tested = global_test(test, {name})
    return tested is not None and not tested[2]


def returns_at_once(body: list[ast.stmt]) -> bool:
    """A branch that only returns (a value read without a call)."""
    return len(body) == 1 and isinstance(body[0], ast.Return) and no_calls(body)


def sets_on_every_path(body: list[ast.stmt], name: str, kind: str) -> bool:
    """Whether running ``body`` to its end sets ``name`` to a value its test reads as set, with no
    way out before it (a ``return`` first leaves it unset, and the next call does the work again)."""
    for statement in body:
        match statement:
            case ast.Assign(targets=targets, value=value) if any(is_name(t, name) for t in targets):
                return sets_it(value, kind)
            case ast.AnnAssign(target=target, value=value) if value is not None and is_name(target, name):
                return sets_it(value, kind)
            case ast.With(body=inner) if sets_on_every_path(inner, name, kind):
                return True
            case ast.If(test=test, body=inner, orelse=[]) if unset_test_of(test, name):
                # checked again under a lock: when it is already set, nothing is left to do
                if sets_on_every_path(inner, name, kind):
                    return True
        if returns_within(statement):
            return False
    return False


def returns_within(statement: ast.stmt) -> bool:
    """A ``return`` in ``statement``, outside the functions and classes defined in it."""
    stack: list[ast.AST] = [statement]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return):
            return True
        if node is not statement and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return False


def is_name(target: ast.expr, name: str) -> bool:
    return isinstance(target, ast.Name) and target.id == name


def sets_it(value: ast.expr, kind: str) -> bool:
    """Whether ``value`` is surely what the test reads as set: not ``None``; for a truth test, not
    a falsy literal or an empty display either; for ``g is True``, the literal ``True``. A call's
    result is taken as set: a factory returns its object."""
    if kind == TRUE:
        return isinstance(value, ast.Constant) and value.value is True
    truth = kind == TRUTH
    if isinstance(value, ast.Constant):
        return value.value is not None and (not truth or bool(value.value))
    if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
        return not truth or bool(value.elts)
    if isinstance(value, ast.Dict):
        return not truth or bool(value.keys)
    return True


def no_calls(statements: list[ast.stmt]) -> bool:
    return not any(isinstance(node, ast.Call) for statement in statements for node in ast.walk(statement))
