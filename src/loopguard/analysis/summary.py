"""One module's index -> its summary: what other modules and the report need, already resolved.

A worker process resolves everything it can inside the module it indexed. A name that leads into
*another* project module cannot be resolved there (that module is in another worker, or cached), so
the resolver hands back a *deferred* value instead — a small closed expression such as
``("call", ("g", "shop.db.SessionLocal"))`` — and the main process evaluates it once every
module's summary is in. Summaries are small, picklable and depend only on the file's bytes, its
module name and the project's top-level names, so they are what the cache stores.

The summary's ``names`` is shaped like a ``ModuleIndex`` whose bindings are already resolved
(``("closed", value)``), so the one ``Resolver`` serves in the workers and in the main process.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from loopguard.analysis.constants import ArgumentValue, exported_names
from loopguard.analysis.guards import Condition
from loopguard.analysis.index import ClassInfo, ModuleIndex, Scope, unread_arguments
from loopguard.analysis.project import LocalProject
from loopguard.analysis.resolve import Resolver
from loopguard.analysis.values import Binding, Expr, Target, Value
from loopguard.models import Literal, Parameters, library_used

Span = tuple[int, int, int]


class LoopCall(NamedTuple):
    """A call that runs on the event loop and resolves to something worth matching (a tuple, so
    the thousands of them in a summary pickle at C speed)."""

    line: int
    col: int  # 0-based UTF-8 byte offset, as ast gives it
    end_line: int
    end_col: int
    target: Target
    span: Span  # the outermost coroutine around it: (def line, def col, end line)
    function: str = ""  # qualified name of the coroutine (or loop callback) the call is in
    awaited: bool = False  # ``await f()``: f is not a blocking sync API, whatever inference says
    literals: tuple[Literal, ...] = ()  # constant arguments (``Rule.non_waiting`` reads them)


#: A ``LoopCall``'s fields: a summary read back from the cache holds plain tuples (``decode``).
LoopCallFields = tuple[int, int, int, int, Target, Span, str, bool, tuple[Literal, ...]]
#: A decorator the resolver cannot name (kept, so that a function is known to be decorated).
UNKNOWN_DECORATOR = "<unknown decorator>"


#: A call in a sync function's body: (line, col, end line, end col, target, literal arguments, the
#: guards around it).
FunctionCall = tuple[int, int, int, int, Target, tuple[Literal, ...], tuple[Condition, ...]]


class FunctionSummary(NamedTuple):
    """A sync function: where it is, what decorates it, and the calls its own body makes (not those
    of nested defs or lambdas: they run only if called). Calls are (line, col, end line, end col,
    target, literal arguments) in source order; only those that can matter are kept."""

    line: int
    col: int
    end_line: int
    decorators: tuple[Target, ...]
    calls: tuple[FunctionCall, ...]
    parameters: Parameters = ((), (), (), False, ())
    #: its work runs only until a module global is set (``filled_once.py``): a memoised helper
    filled_once: bool = False


#: A ``FunctionSummary``'s fields (a summary read back from the cache holds plain tuples).
FunctionFields = tuple[int, int, int, tuple[Target, ...], tuple[FunctionCall, ...], Parameters, bool]


@dataclass  # not slotted: slotted dataclasses pickle through a slow Python __setstate__
class FileSummary:
    module: str
    package: str
    names: ModuleIndex
    calls: tuple[LoopCallFields, ...] = ()
    library: str = "asyncio"
    imports: frozenset[str] = field(default_factory=frozenset)
    functions: dict[str, FunctionFields] = field(default_factory=dict)
    # (scheduling method, callback function) for calls such as loop.call_soon(callback)
    callbacks: tuple[tuple[Target, Target], ...] = ()
    # project callables called while the module is imported (module and class bodies): a memoised
    # helper called there is warm before any coroutine runs
    import_calls: tuple[Target, ...] = ()


def library_of(index: ModuleIndex) -> str:
    """The async library the file uses, so suggestions name its API (asyncio when none)."""
    return library_used(index.imported_roots)


def summarize(
    index: ModuleIndex, project_tops: Collection[str], wanted: Callable[[str], bool] = lambda key: True,
    filled_once: Collection[tuple[int, int]] = (),
) -> FileSummary:
    """``wanted`` says which resolved call targets can matter (the others are not kept); a call of
    the project's own code always can (it may block further down). ``filled_once``: the positions
    of the functions that do their work only until a module global is set (``filled_once.py``)."""
    project = LocalProject(index, project_tops)
    resolver = project.resolver(index.module)

    def keep(target: Target) -> bool:
        if target is None:
            return False
        return not isinstance(target, str) or target.partition(".")[0] in project_tops or wanted(target)

    names = resolved_names(index, resolver, project_tops)
    calls = calls_by_where_they_run(index, resolver, keep, project_tops)
    summary = FileSummary(
        module=index.module,
        package=index.package,
        names=names,
        calls=calls.on_loop,
        library=library_of(index),
        imports=frozenset(imported_names(index, project_tops)),
        functions=function_summaries(index, resolver, calls.in_functions, filled_once),
        callbacks=scheduled_callbacks(index, resolver),
        import_calls=calls.at_import,
    )
    project.forget_resolvers()
    return summary


def as_bindings(value: Value | None) -> list[Binding]:
    match value:
        case ("ref", qualname):  # a def or class keeps its plain binding: Project.deref stops there
            return [("ref", qualname)]
    return [("closed", value)]


def resolved_names(index: ModuleIndex, resolver: Resolver, project_tops: Collection[str] = ()) -> ModuleIndex:
    module_scope = index.scopes[0]
    exports = Scope("module", None, module_scope.qualname)
    aliases = resolver.aliases  # (``Resolver.canonical``, inlined)
    for name, bindings in module_scope.bindings.items():
        # an import, a def or a class (most names): what merging gives (read by position, not by a
        # ``match``: a ``ref`` binding is a pair)
        if len(bindings) == 1 and bindings[0][0] == "ref":
            qualname = bindings[0][1]
            exports.bindings[name] = [("ref", aliases.get(qualname, qualname))]
        else:
            exports.bindings[name] = as_bindings(resolver.merge(name, 0, bindings))
    classes = {}
    for qualname, info in index.classes.items():
        summary = ClassInfo(qualname, [("val", resolver.resolve(b, info.scope)) for b in info.bases], 0, 0)
        summary.methods = set(info.methods)
        summary.properties = set(info.properties)
        for name, bindings in info.attributes.items():
            summary.attributes[name] = [("closed", resolver.merge(f"{qualname}.{name}", -1, bindings))]
        classes[qualname] = summary
    returns: dict[str, tuple[Expr, int]] = {
        qualname: (("val", resolver.resolve(annotation, scope)), 0)
        for qualname, (annotation, scope) in index.function_returns.items()
    }
    return ModuleIndex(
        module=index.module,
        package=index.package,
        scopes=[exports],
        classes=classes,
        calls=[],
        coroutines={},
        imported_roots=set(),
        function_returns=returns,
        constants=exported_names(index.constants, project_tops),
        star_imports=index.star_imports,
        public=index.public,
    )


class SortedCalls(NamedTuple):
    """The module's calls that are kept, by where they run (``calls_by_where_they_run``)."""

    on_loop: tuple[LoopCallFields, ...]  # a ``LoopCall``'s fields for each call on the loop
    in_functions: dict[int, list[FunctionCall]]  # sync function scope -> the calls of its own body
    at_import: tuple[Target, ...]  # the project callables called while the module is imported


def calls_by_where_they_run(
    index: ModuleIndex, resolver: Resolver, keep: Callable[[Target], bool], project_tops: Collection[str]
) -> SortedCalls:
    """Each call resolved and sorted in one pass over the module's calls (a third of which are
    attribute accesses): on the loop, in a sync function's own body, or at import. The three are
    disjoint: a coroutine's code is on the loop, and neither a def nor a lambda runs at import.

    A call on the loop is kept as a ``LoopCall``'s fields, a plain tuple, as the cache gives it
    back (a NamedTuple unpickles through its Python ``__new__``, and the main process unpickles
    every summary of a cold run); a sync function's calls are kept when they can matter; the
    calls made at import are those whose scopes up to the module are only class bodies and
    comprehensions, and of them the project's callables are kept. ``keep`` is asked once per
    target named by a string (a deferred target is always kept, an unknown one never)."""
    outermost: dict[int, tuple[Span, str]] = {}  # coroutine -> its span, and its qualified name
    on_loop: list[LoopCallFields] = []
    in_functions: dict[int, list[FunctionCall]] = {}
    at_import: list[Target] = []
    owners: dict[int, int] = {}  # scope -> ``owning_function`` (calls share scopes)
    runs_at_import: dict[int, bool] = {}  # scope -> whether its code runs at import
    # a target named by a string -> ``keep``'s answer (a module calls the same API many times)
    kept: dict[str, bool] = {}
    call_target = resolver.call_target
    unread = index.unread is not None  # the arguments of the calls kept are read here (``index_module``)
    # each call's fields unpacked at once: a ``CallSite``'s fields read by name go through the
    # NamedTuple's descriptors, which the interpreter does not specialise
    for func, scope, line, col, end_line, end_col, on_loop_, coroutine, awaited, literals, conditions in index.calls:
        owner = -1
        if not on_loop_:
            # (looked up with ``in``, not ``get``: a method call costs more than two lookups of an int)
            owner = owners[scope] if scope in owners else owners.setdefault(scope, owning_function(index, scope))
            if owner < 0:  # a call outside every function: kept when its code runs at import
                runs = runs_at_import.get(scope)
                if runs is None:
                    runs = runs_at_import[scope] = runs_at_import_time(index, scope)
                if runs:
                    target = call_target(func, scope)
                    if target is not None and (not isinstance(target, str) or target.partition(".")[0] in project_tops):
                        at_import.append(target)
                continue
        target = call_target(func, scope)
        if target.__class__ is str:  # (a target is a string, a deferred tuple or None)
            if not (kept[target] if target in kept else kept.setdefault(target, keep(target))):
                continue
        elif target is None:
            continue
        if unread and literals:
            literals = unread_arguments(index, literals, scope)
        if on_loop_:
            where = outermost.get(coroutine)
            if where is None:
                where = outermost[coroutine] = (outermost_coroutine(index, coroutine), index.scopes[coroutine].qualname)
            on_loop.append((line, col, end_line, end_col, target, where[0], where[1], awaited, literals))
        else:
            found = in_functions.get(owner)
            if found is None:
                found = in_functions[owner] = []
            found.append((line, col, end_line, end_col, target, literals, conditions))
    return SortedCalls(tuple(on_loop), in_functions, tuple(dict.fromkeys(at_import)))


def runs_at_import_time(index: ModuleIndex, scope: int) -> bool:
    """Whether code in ``scope`` runs while the module is imported: its scopes up to the module
    are only class bodies and comprehensions (not a def or lambda, which run later)."""
    current: int | None = scope
    while current is not None and index.scopes[current].kind in ("class", "comprehension"):
        current = index.scopes[current].parent
    return current == 0


def scheduled_callbacks(index: ModuleIndex, resolver: Resolver) -> tuple[tuple[Target, Target], ...]:
    """Sync functions handed to the loop to run later (``loop.call_soon(f)``): their bodies run on it."""
    found = []
    for scope, method, callback in index.callbacks:
        scheduler = resolver.call_target(method, scope)
        function = resolver.plain_target(resolver.callee(callback, scope))
        if scheduler is not None and function is not None:
            found.append((scheduler, function))
    return tuple(found)


def decorator_targets(decorator: Expr, resolver: Resolver, scope: int) -> list[Target]:
    """What a decorator is: the callable it names, and for a call (``@lru_cache(maxsize=None)``)
    also the factory it calls."""
    targets = [resolver.plain_target(resolver.resolve(decorator, scope))]
    match decorator:
        case ("call", factory):
            targets.append(resolver.plain_target(resolver.resolve(factory, scope)))
    known: list[Target] = [target for target in targets if target is not None]
    return known or [UNKNOWN_DECORATOR]  # still a decorator: it may replace the function


def owning_function(index: ModuleIndex, scope: int) -> int:
    """The scope of the function whose own body a call is in (comprehensions are transparent);
    -1 when that is a coroutine, a lambda, a class body or the module."""
    current: int | None = scope
    while current is not None and index.scopes[current].kind == "comprehension":
        current = index.scopes[current].parent
    if current is None or index.scopes[current].kind != "function":
        return -1
    return current


def function_summaries(
    index: ModuleIndex, resolver: Resolver, calls: dict[int, list[FunctionCall]],
    filled_once: Collection[tuple[int, int]] = (),
) -> dict[str, FunctionFields]:
    """Each sync function's summary, given the calls of its own body (``calls_by_where_they_run``)."""
    summaries: dict[str, FunctionFields] = {}
    for scope, (line, col, end_line, decorators, outer) in index.functions.items():
        # (most functions have no decorator: no generator made for them)
        decorated = (
            tuple(target for d in decorators for target in decorator_targets(d, resolver, outer)) if decorators else ()
        )
        # a ``FunctionSummary``'s fields, as a plain tuple (see ``calls_by_where_they_run``)
        summaries[index.scopes[scope].qualname] = (
            line, col, end_line, decorated, tuple(calls.get(scope, ())), parameters_with_rebinding(index, scope),
            (line, col) in filled_once,
        )
    return summaries


def parameters_with_rebinding(index: ModuleIndex, scope: int) -> Parameters:
    """The function's parameters, with each assignment to one of them in the body and the guards
    around it (``if name.startswith("env/"): name = name[4:]``)."""
    positional, keyword_only, defaults, bound, _ = index.parameters.get(scope, ((), (), (), False, ()))
    return (positional, keyword_only, defaults, bound, tuple(index.rebindings.get(scope, ())))


def outermost_coroutine(index: ModuleIndex, scope_id: int) -> tuple[int, int, int]:
    """The span of the outermost ``async def`` around a coroutine (libcst parses that one)."""
    outer = scope_id
    parent = index.scopes[scope_id].parent
    while parent is not None:
        if parent in index.coroutines:
            outer = parent
        parent = index.scopes[parent].parent
    return index.coroutines[outer]


def imported_names(index: ModuleIndex, project_tops: Collection[str]) -> set[str]:
    """Every qualified name of the project the module imports (``ModuleIndex.imports``: its defs
    and classes are its own, but a package's ``__init__`` imports its submodules), and each of its
    dotted prefixes (in the project too: a prefix starts as the name does)."""
    own = index.module + "." if index.package != index.module else None
    names: set[str] = set()
    for qualname in index.imports:
        if own is not None and qualname.startswith(own):
            continue
        if qualname.partition(".")[0] not in project_tops:
            continue  # most imports: the standard library's and third parties'
        # longest first: a prefix already there has its own prefixes there too
        name = qualname
        while name not in names:
            names.add(name)
            head, dot, _ = name.rpartition(".")
            if not dot:
                break
            name = head
    return names


#: A class in a summary: (bases, attributes, methods).
EncodedClass = tuple[Sequence[Expr], dict[str, Sequence[Binding]], Collection[str], Collection[str]]
#: A summary as the cache stores it (``cache.schema.SUMMARY`` checks the shape).
EncodedSummary = tuple[
    str, str, dict[str, Sequence[Binding]], dict[str, EncodedClass], dict[str, tuple[Expr, int]],
    tuple[LoopCallFields, ...], str, tuple[str, ...], dict[str, FunctionFields],
    tuple[tuple[Target, Target], ...], tuple[Target, ...], dict[str, ArgumentValue],
    tuple[tuple[str, ...], tuple[str, ...] | None],
]


def encode(summary: FileSummary) -> EncodedSummary:
    """The summary as tuples and dicts (MessagePack writes a NamedTuple as the array of its fields)."""
    names = summary.names
    classes: dict[str, EncodedClass] = {
        qualname: (
            tuple(info.bases), {k: tuple(v) for k, v in info.attributes.items()}, tuple(info.methods),
            tuple(info.properties),
        )
        for qualname, info in names.classes.items()
    }
    exports: dict[str, Sequence[Binding]] = {
        name: tuple(bindings) for name, bindings in names.scopes[0].bindings.items()
    }
    return (
        summary.module, summary.package, exports, classes, names.function_returns, summary.calls,
        summary.library, tuple(sorted(summary.imports)), summary.functions, summary.callbacks, summary.import_calls,
        names.constants, (names.star_imports, names.public),
    )


def decode(data: EncodedSummary) -> FileSummary:
    """Back from ``encode``, cheaply: bindings and calls stay tuples (the resolver only reads them)."""
    module, package, exports, classes, returns, calls, library, imports, functions, callbacks, warm, constants, stars = data
    scope = Scope("module", None, module, bindings=exports)
    infos = {
        qualname: ClassInfo(qualname, bases, 0, 0, attributes=attributes, methods=methods, properties=properties)
        for qualname, (bases, attributes, methods, properties) in classes.items()
    }
    star_imports, public = stars
    names = ModuleIndex(
        module, package, [scope], infos, [], {}, set(), returns, constants=constants,
        star_imports=tuple(star_imports), public=None if public is None else tuple(public),
    )
    return FileSummary(module, package, names, calls, library, frozenset(imports), functions, callbacks, warm)
