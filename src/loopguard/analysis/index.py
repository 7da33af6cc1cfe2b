"""One module -> its symbols, from the stdlib ``ast`` (C-fast; libcst is ~30x slower to parse).

The index records, per scope, what every name is bound to (imports, assignments, annotations,
``with ... as``, defs and classes), per class what its attributes hold, and every call site with the
scope it is in and whether that code runs on the event loop. Nothing is resolved here: binding values
are kept as small expression tuples (see ``Expr``) so the index is cheap, picklable and cacheable, and
``resolve.py`` is the one place that turns names into qualified names and receiver types.

Python's scoping is static: a name assigned anywhere in a function is local for the whole function,
so bindings are collected flow-insensitively, exactly like the compiler does.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from operator import attrgetter
from typing import Any, NamedTuple, TypeGuard
from typing import Literal as Tag

from loopguard.analysis.annotated_types import FUNCTION_KINDS, AnnotatedVariables
from loopguard.analysis.argument_types import (
    ISINSTANCE_TESTS,
    TypeTests,
    bound_to,
    default_value,
    without_type_tests,
)
from loopguard.analysis.constants import (
    ArgumentValue,
    ConstantValue,
    module_constants,
    module_imports,
)
from loopguard.analysis.enums import MemberReads, enum_members, equal_to_values, without_members
from loopguard.analysis.equalities import Equalities
from loopguard.analysis.expressions import NONE, OTHER, Expr, annotation_of, expr_of
from loopguard.analysis.facts import (
    Dep,
    Pure,
    fact_of,
    pure_text,
    with_stale_facts_spent,
)
from loopguard.analysis.flags import (
    FLAG_CLASSES,
    FLAG_VALUES,
    Flag,
    flag_of,
    may_pass_a_test,
    with_flags,
    with_tested_arguments,
)
from loopguard.analysis.guard_constants import (
    StringConstant,
    string_constant,
    with_string_constants,
)
from loopguard.analysis.guards import (
    EQUALS_VALUE,
    LOOP,
    Condition,
    Guard,
    decidable_names,
    guard_reader,
    names_in,
)
from loopguard.analysis.known import (
    LiteralBinding,
    LocalLiterals,
    Table,
    columns_of,
    constant_table,
    first_value,
    gets_running_loop,
    is_one_of,
    only_gets_loop,
    returns_running_loop,
)
from loopguard.analysis.literals import given_literals, is_bare_final, literal_value
from loopguard.analysis.loop_values import loop_returns, plain_shape, with_returns
from loopguard.analysis.managers import managed_return
from loopguard.analysis.module_reads import read_arguments
from loopguard.analysis.narrowing import (
    Narrowed,
    captured_as,
    holding_throughout,
    narrowed_and_pinned,
    pattern_narrowing,
    readers_of,
    substituted,
    walked,
    without_rebound,
)
from loopguard.analysis.receivers import (
    BuiltLocals,
    method_returns,
    with_class,
    with_method_returns,
)
from loopguard.analysis.records import Records, without_fields
from loopguard.analysis.self_sets import SelfAssignments, before_return
from loopguard.analysis.stars import BUILTIN_NAMES, public_names
from loopguard.analysis.values import (
    UNKNOWN,
    AttrExpr,
    Binding,
    CallFunc,
    last_name,
)
from loopguard.catalogue import ARGUMENT_TAKERS, CALLBACK_POSITIONS, NONBLOCKING_ARGUMENTS
from loopguard.models import NOT_LITERAL, ONE_OF, PASSED, Literal, Parameters, Rebinding

# the IR is part of the index's contract (its shapes are in ``values.py``)
__all__ = ["NONE", "OTHER", "UNKNOWN", "Binding", "Expr", "annotation_of", "expr_of"]


#: The deepest syntax tree the index walks (it recurses once per level, at most 3 Python frames
#: each). CPython's parser refuses 200 nested brackets and 100 indentation levels, but operator
#: chains (``a + a + ...`` in generated code, ``- - - x``) nest as deep as they are long.
MAX_DEPTH = 5_000


#: Node classes the index has nothing to do with, with nothing under them that it has: a walk
#: passes them without dispatching (names and constants are about half the nodes of a module).
LEAVES: frozenset[type] = frozenset(
    {ast.Name, ast.Constant}
    | {kind for base in (ast.operator, ast.unaryop, ast.cmpop, ast.boolop, ast.expr_context)
       for kind in base.__subclasses__()}
)

#: Fields that never hold a node (names, flags, comments, constants' kinds): never looked into.
NOT_NODES = frozenset(
    {"ctx", "type_comment", "kind", "conversion", "simple", "is_async", "kwd_attrs", "id", "attr",
     "name", "arg", "level", "module", "rest", "tag", "lineno"}
)

#: A def's or class's type parameters (Python 3.12), or None where they have none: asked once,
#: not by a ``getattr`` with a default for each def, which raises and catches an AttributeError
#: inside where there are none (3.1 M instructions for every 10th homeassistant file on 3.11).
TYPE_PARAMS: Callable[[ast.stmt], list[ast.AST]] | None = (
    attrgetter("type_params") if "type_params" in ast.FunctionDef._fields else None
)

#: Indexer class -> node class -> the function that visits it, filled as classes are met.
VISITORS: dict[type, dict[type, Callable[..., None]]] = {}

#: Node class -> the fields ``generic_visit`` looks into, filled as classes are met.
CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def child_fields(kind: type) -> tuple[str, ...]:
    """The fields of a node class that may hold nodes."""
    fields: tuple[str, ...] = getattr(kind, "_fields", ())
    return tuple(name for name in fields if name not in NOT_NODES)


class NestingTooDeep(Exception):
    """The file's syntax tree nests deeper than ``MAX_DEPTH`` at ``line``:``column`` (1-based)."""

    def __init__(self, node: object) -> None:  # any node: a leaf is passed as an ``object``
        self.line = getattr(node, "lineno", 1)
        self.column = getattr(node, "col_offset", 0) + 1
        super().__init__(f"nesting too deep (more than {MAX_DEPTH:,} levels) at line {self.line}")


ScopeKind = Tag["module", "class", "function", "coroutine", "lambda", "comprehension"]


@dataclass  # not slotted: slotted dataclasses pickle through a slow Python __setstate__
class Scope:
    kind: ScopeKind
    parent: int | None
    qualname: str
    # lists while indexing; a summary's are tuples (``summary.decode``)
    bindings: dict[str, Sequence[Binding]] = field(default_factory=dict)
    global_names: set[str] = field(default_factory=set)
    class_qualname: str | None = None  # for a method: the class that owns it
    nonblocking: set[str] = field(default_factory=set)  # sockets switched by setblocking(False) so far


@dataclass  # not slotted: slotted dataclasses pickle through a slow Python __setstate__
class ClassInfo:
    qualname: str
    bases: Sequence[Expr]
    scope: int  # the scope the class statement is in
    body_scope: int
    attributes: dict[str, Sequence[Binding]] = field(default_factory=dict)
    methods: Collection[str] = frozenset()
    # the methods decorated ``@property``/``@cached_property`` (by name: the call graph checks what
    # the decorator is before it follows an access; here it only types the value read)
    properties: Collection[str] = frozenset()


class CallSite(NamedTuple):
    """A recorded call (a NamedTuple: a frozen dataclass's ``__init__`` sets each of its eleven
    fields through ``object.__setattr__``, and a large project records hundreds of thousands)."""

    func: CallFunc
    scope: int
    line: int
    col: int  # 0-based UTF-8 byte offset, as ast gives it
    end_line: int
    end_col: int
    on_loop: bool
    coroutine: int  # scope id of the innermost coroutine, -1 when not on the loop
    awaited: bool = False  # ``await f()``: whatever f is, its result is awaitable
    literals: tuple[Literal, ...] = ()  # its constant arguments (see ``literal_arguments``)
    conditions: tuple[Condition, ...] = ()  # the guards around it in a sync function (guards.py)


new_call_site = tuple.__new__  # see ``record_call``


@dataclass  # not slotted: slotted dataclasses pickle through a slow Python __setstate__
class ModuleIndex:
    module: str
    package: str
    scopes: list[Scope]
    classes: dict[str, ClassInfo]
    calls: list[CallSite]
    coroutines: dict[int, tuple[int, int, int]]  # scope id -> (def line, def col, end line)
    imported_roots: set[str]
    # function qualname -> (return annotation, the scope the def is written in)
    function_returns: dict[str, tuple[Expr, int]] = field(default_factory=dict)
    # sync function scope id -> (def line, def col, end line, decorators, the scope the def is in)
    functions: dict[int, tuple[int, int, int, tuple[Expr, ...], int]] = field(default_factory=dict)
    # (scope, scheduling method expression, callback expression) for the loop schedulers' calls (catalogue)
    callbacks: list[tuple[int, CallFunc, Expr]] = field(default_factory=list)
    # sync function scope id -> its parameters (guards decided by a call's arguments)
    parameters: dict[int, Parameters] = field(default_factory=dict)
    # sync function scope id -> each assignment to a parameter (see ``models.Rebinding``)
    rebindings: dict[int, list[Rebinding]] = field(default_factory=dict)
    # module-level name -> its literal, or the marker of what it imports (constants.py)
    constants: dict[str, ArgumentValue] = field(default_factory=dict)
    # the qualified name each import binds, in any scope (``summary.imported_names``)
    imports: set[str] = field(default_factory=set)
    # the modules of the module's star imports, in order, and what a star import of it binds (stars.py)
    star_imports: tuple[str, ...] = ()
    public: tuple[str, ...] | None = None
    # ``index_module(..., arguments_read=False)``: what reading the calls' arguments against the
    # module's names (``constants``) needs besides the scopes — left to whoever keeps a call
    # (``unread_arguments``); None when every call's arguments are read
    unread: ArgumentReading | None = None


#: What ``module_reads.read_arguments`` needs of a module besides its scopes and names: its
#: annotated variables, and whether a star import may rebind any name.
ArgumentReading = tuple[AnnotatedVariables, bool]


def unread_arguments(index: ModuleIndex, literals: tuple[Literal, ...], scope: int) -> tuple[Literal, ...]:
    """A call's arguments read against the module's names, as ``index_module`` reads them unless
    told to leave it (``ModuleIndex.unread``)."""
    if index.unread is None or not literals:
        return literals
    annotated, star_import = index.unread
    read = read_arguments(literals, scope, index.scopes, index.constants, annotated, star_import)
    return literals if read is None else read


class _Indexer:
    """A walk of a module's tree in ``ast.NodeVisitor``'s manner (its ``visit`` and
    ``generic_visit`` are our own: "traversal" below), not a subclass of it: a subclass of
    ``NodeVisitor`` has a ``__dict__``, which each method looked up on an indexer is checked
    against (0.2 % of index + summarize for every 10th homeassistant file)."""

    # slotted: an indexer has 61 attributes, past the 30 an instance's attributes share keys with
    # its class's, so each was a lookup in a dict of its own (``self.depth``, ``self.current``...
    # are read at every node), and the dict was grown five times over for each module
    __slots__ = (
        "_dispatch", "all_called", "alternatives", "annotated", "awaited", "before_star", "built_locals",
        "callbacks", "calls", "classes", "constants", "coroutines", "current", "defs", "depth", "enum_members",
        "exported", "fact_guards", "fact_made", "first_return", "flags", "function_returns", "functions",
        "global_names", "guard_names", "guards", "imported_roots", "imports", "literal", "locals", "loop",
        "loop_returning", "loop_spans", "loops", "member_reads", "methods", "module", "narrowed", "overloads",
        "package", "parameter_names", "parameters", "properties", "pure_locals", "pure_value", "read_guard",
        "read_returned", "rebindings", "records", "scopes", "self_sets", "star_imports", "statement",
        "string_constants", "switched", "table_uses", "tables", "type_tests", "unbound", "unvisited", "yields",
    )

    def __init__(self, module: str, package: str) -> None:
        self.module = module
        self.package = package
        self.scopes: list[Scope] = [Scope("module", None, module)]
        self.classes: dict[str, ClassInfo] = {}
        self.calls: list[CallSite] = []
        self.coroutines: dict[int, tuple[int, int, int]] = {}
        self.imported_roots: set[str] = set()
        self.imports: set[str] = set()  # the qualified names the imports bind
        self.star_imports: list[str] = []  # the modules star-imported, in order (stars.py)
        self.callbacks: list[tuple[int, CallFunc, Expr]] = []
        self.methods: dict[str, set[str]] = {}  # class qualname -> the methods its body defines
        self.properties: dict[str, set[str]] = {}  # class qualname -> its properties
        self.switched = False  # whether a socket of the module was switched (``note_nonblocking``)
        # whether a statement of the module's code calls a method of ``__all__``, or deletes a
        # tuple of names (``public``)
        self.all_called = False
        self.function_returns: dict[str, tuple[Expr, int]] = {}
        self.functions: dict[int, tuple[int, int, int, tuple[Expr, ...], int]] = {}
        self.current = 0
        # loop context of the code being visited: the innermost coroutine's scope, or -1
        self.loop = -1
        # the defs and lambdas around the code being visited: none, and the code runs at import
        # (module and class bodies), where only a call's target is kept (``visit_Call``)
        self.defs = 0
        # node class -> the function that visits it, shared by every indexer of the class (a
        # subclass may visit a node class otherwise): not a table of methods bound to each
        # indexer, which a module's walk filled anew for each node class it met (17 a module)
        self._dispatch = VISITORS.setdefault(self.__class__, {})
        self.depth = 0  # of the node being visited: bounded by MAX_DEPTH
        self.awaited: set[int] = set()  # ids of the call nodes that are operands of ``await``
        self.guards: list[Condition] = []  # the decidable if-conditions around the code being visited
        # sync function scope -> its parameters, for guards decided by arguments (guards.py)
        self.parameters: dict[int, Parameters] = {}
        self.parameter_names: dict[int, frozenset[str]] = {}  # set once the parameters are bound
        # sync function scope -> (parameter, the guards around it) for each assignment to a parameter
        self.rebindings: dict[int, list[Rebinding]] = {}
        self.loops = 0  # loops around the code being visited, in the current function
        # qualname -> the return annotations of its ``@overload`` stubs (None: not a plain type)
        self.overloads: dict[str, list[Expr | None]] = {}
        # the locals of the sync functions being walked, innermost last (known.py)
        self.locals: list[LocalLiterals] = []
        self.literal: LiteralBinding = None  # set while ``name = <literal>`` binds its name
        self.loop_returning: set[str] = set()  # functions of this module returning the running loop
        self.tables: dict[str, Table] = {}  # module constants: tuples of string literals (known.py)
        # comprehension scope -> its variables drawn from a constant table, and the values they take
        self.alternatives: dict[int, dict[str, tuple[str, ...]]] = {}
        self.table_uses: dict[int, set[str]] = {}  # call number -> the tables its arguments come from
        # module constants: ``NAME = <literal>`` at module level, and the names ``del`` unbinds or
        # ``*`` when a star import may rebind any of them (constants.py)
        self.constants: dict[str, ConstantValue] = {}
        self.string_constants: dict[str, StringConstant] = {}  # for guards (guard_constants.py)
        self.enum_members: dict[str, dict[str, ConstantValue]] = {}  # module-level enums (enums.py)
        self.member_reads = MemberReads()
        self.built_locals = BuiltLocals()  # locals bound to ``Class(...)`` (receivers.py)
        self.records = Records()  # constant tables of frozen dataclass instances (records.py)
        self.pure_locals: dict[tuple[int, str], Pure] = {}  # (scope, local) -> its pure value (facts.py)
        self.pure_value: ast.expr | None = None  # set while ``name = <expression>`` binds its name
        # the guards of the function being visited that hold a fact (by id): its calls check them
        self.fact_guards: set[int] = set()
        self.fact_made = False  # whether reading a guard made a fact (``decidable_guard``)
        self.before_star: set[str] = set()  # the module's names bound before its last star import
        self.exported: dict[str, ArgumentValue] = {}  # the constants and imports other modules read
        self.unbound: set[str] = set()
        self.global_names: set[str] = set()  # the names of the module's ``global`` statements, in any scope
        # the isinstance narrowings that hold where the code being visited is, innermost last, each
        # with the scope of its test (narrowing.py)
        self.narrowed: list[tuple[int, Narrowed, Equalities]] = []
        self.type_tests = TypeTests()  # the classes ``isinstance`` guards name (argument_types.py)
        self.annotated = AnnotatedVariables()  # variables annotated with builtins (annotated_types.py)
        self.self_sets = SelfAssignments()  # what methods assign on their receivers (self_sets.py)
        self.statement: ast.stmt | None = None  # the statement being walked (where it ends: ``record_access``)
        self.flags: dict[int, dict[str, Flag]] = {}  # function scope -> local -> the test it holds (flags.py)
        self.guard_names: dict[Guard, frozenset[str]] = {}  # see ``names_in``
        # the first ``return`` met in the body of the function being walked, in a nested ``def``
        # too (an ``__init__``'s own block ends before it: ``self_sets.before_return``)
        self.first_return: ast.Return | None = None
        self.yields = 0  # the ``yield`` and ``yield from`` expressions the walk has met
        # what the walk passes without visiting (annotations, comprehension targets): where a
        # ``yield`` may be that ``yields`` did not count (``generator``)
        self.unvisited: list[ast.AST] = []
        self.loop_spans: list[tuple[int, int]] = []  # (first line, last line) of each loop met
        # the readers of an ``if``'s test and of a ``return``'s value (guards.py), made once
        self.read_guard = guard_reader(
            self.gets_loop, class_named=self.class_named, helper_call=self.helper_call,
            member_named=self.member_named, fact_of=self.fact_of,
        )
        self.read_returned = guard_reader(self.gets_loop, helper_call=self.helper_call)

    def public(self, tree: ast.Module) -> tuple[str, ...] | None:
        """``stars.public_names(tree)``, which reads every statement of the module's code for one
        that binds or changes ``__all__``: each such statement binds it in the module's scope,
        deletes it (``unbound``, or a tuple deleted: ``all_called``) or calls a method of it
        (``all_called``), so a module none of whose code does has no ``__all__`` (None) — most
        modules (24 M of 3,988 M instructions for every 10th homeassistant file)."""
        if "__all__" in self.scopes[0].bindings or "__all__" in self.unbound or self.all_called:
            return public_names(tree)
        return None

    def cut_cycles(self) -> None:
        """Drop what refers back to the indexer — the bound methods of the guard readers — once
        the module's index is made: a worker indexes with the cyclic collector paused, and an
        indexer kept alive by its own cycle would keep the module's tree and everything it found
        until the chunk ends (~380 MB per worker on homeassistant)."""
        del self.read_guard, self.read_returned

    # -- traversal: ast.NodeVisitor's, without its per-node string building ------------------------
    def visit(self, node: ast.AST) -> None:
        kind = node.__class__
        if kind in LEAVES:  # a third of the nodes visited: nothing to dispatch
            if self.depth >= MAX_DEPTH:
                raise NestingTooDeep(node)
            return
        try:  # (a subscript, not ``get``: a method call costs more, and a miss is once per class)
            method = self._dispatch[kind]
        except KeyError:
            method = self.visitor_of(kind)
        # no try/finally: when the bound is hit, the whole walk is abandoned (the file is LG001)
        depth = self.depth + 1
        if depth > MAX_DEPTH:
            raise NestingTooDeep(node)
        self.depth = depth
        method(self, node)
        self.depth = depth - 1

    def visit_statements(
        self, statements: list[ast.stmt], each_assignment: Callable[[ast.Assign | ast.AnnAssign], None] | None = None
    ) -> None:
        """What ``visit`` does for each statement of a module's or a class's body (never a leaf),
        in place: a call less for each; ``each_assignment`` is handed each assignment once it is
        visited (a class's: ``visit_ClassDef``). (Not ``visit_block``: no guard or narrowing holds
        from one statement of these bodies to the next.)"""
        level = self.depth
        for statement in statements:
            kind = statement.__class__
            try:
                method = self._dispatch[kind]
            except KeyError:
                method = self.visitor_of(kind)
            if level >= MAX_DEPTH:
                raise NestingTooDeep(statement)
            self.depth = level + 1
            method(self, statement)
            self.depth = level
            # (most statements are defs: no ``isinstance`` asked, no call made)
            if each_assignment is not None and (kind is ast.AnnAssign or kind is ast.Assign):
                each_assignment(statement)  # type: ignore[arg-type]  # (told by its class above)

    def visitor_of(self, kind: type) -> Callable[[Any, Any], None]:
        """The function that visits nodes of class ``kind``, remembered for the next (looked up
        once per process: ``getattr`` of a missing ``visit_`` name raises inside)."""
        function: Callable[[Any, Any], None] = getattr(self.__class__, "visit_" + kind.__name__, _Indexer.generic_visit)
        self._dispatch[kind] = function
        return function

    def generic_visit(self, node: ast.AST) -> None:
        fields = CHILD_FIELDS.get(node.__class__)
        if fields is None:
            fields = CHILD_FIELDS[node.__class__] = child_fields(node.__class__)
        # a leaf is passed, not visited: it only has to be within the bound, as a visit checks
        at_bound = self.depth >= MAX_DEPTH
        for name in fields:
            value = getattr(node, name, None)
            if value.__class__ is list:
                if value and isinstance(value[0], ast.stmt):
                    self.visit_block(value)
                    continue
                for item in value:
                    if item.__class__ in LEAVES:
                        if at_bound:
                            raise NestingTooDeep(item)
                    elif isinstance(item, ast.AST):
                        self.visit(item)
            elif value.__class__ in LEAVES:
                if at_bound:
                    raise NestingTooDeep(value)
            elif isinstance(value, ast.AST):
                self.visit(value)

    def visit_Name(self, node: ast.Name) -> None:
        """A name binds only as a target, and targets are bound by the statements that own them.
        (Not reached from ``visit``: a name is one of ``LEAVES``.)"""

    def visit_Constant(self, node: ast.Constant) -> None:
        """Nothing inside (and ast.NodeVisitor's version checks for long-removed node types).
        (Not reached from ``visit``: a constant is one of ``LEAVES``.)"""

    # the commonest nodes with one child: visited straight, not through ``generic_visit``'s loop
    # (a leaf child — a name, a constant — is passed as ``visit`` passes it, without the call)
    def visit_Expr(self, node: ast.Expr) -> None:
        value = node.value
        if value.__class__ not in LEAVES:
            if self.current == 0 and value.__class__ is ast.Call:  # ``__all__.extend(...)``: see ``public``
                function = value.func
                base = function.value if function.__class__ is ast.Attribute else None
                if base.__class__ is ast.Name and base.id == "__all__":
                    self.all_called = True
            self.visit(value)
        elif self.depth >= MAX_DEPTH:
            raise NestingTooDeep(value)

    def visit_keyword(self, node: ast.keyword) -> None:
        value = node.value
        if value.__class__ not in LEAVES:
            self.visit(value)
        elif self.depth >= MAX_DEPTH:
            raise NestingTooDeep(value)

    def visit_children(self, children: Iterable[ast.AST | None]) -> None:
        """Each child in order (None: an absent one, skipped), a leaf passed as ``visit`` passes
        it: the first child raises ``NestingTooDeep`` exactly when ``visit`` of each would. (What
        ``visit`` does for a child that is not a leaf, in place too: a call less for each.)"""
        level = self.depth
        at_bound = level >= MAX_DEPTH
        for child in children:
            kind = child.__class__
            if kind not in LEAVES:
                if child is not None:
                    try:
                        method = self._dispatch[kind]
                    except KeyError:
                        method = self.visitor_of(kind)
                    if at_bound:
                        raise NestingTooDeep(child)
                    self.depth = level + 1
                    method(self, child)
                    self.depth = level
            elif at_bound:
                raise NestingTooDeep(child)

    # the nodes ``generic_visit`` takes most often, their fields visited by name in its order (the
    # first child raises ``NestingTooDeep`` exactly when its field loop would)
    def visit_Subscript(self, node: ast.Subscript) -> None:
        self.visit_children((node.value, node.slice))

    def visit_Compare(self, node: ast.Compare) -> None:
        self.visit_children((node.left, *node.comparators))

    def visit_BinOp(self, node: ast.BinOp) -> None:
        self.visit_children((node.left, node.right))

    def visit_Dict(self, node: ast.Dict) -> None:
        self.visit_children((*node.keys, *node.values))  # (a key None: ``{**other}``)

    def visit_List(self, node: ast.List | ast.Tuple | ast.Set) -> None:
        self.visit_children(node.elts)

    visit_Tuple = visit_Set = visit_List

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        self.visit_children(node.values)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> None:
        value = node.value
        if value.__class__ not in LEAVES:  # (most are names: passed as ``visit`` passes a leaf)
            self.visit(value)
        elif self.depth >= MAX_DEPTH:
            raise NestingTooDeep(value)
        if node.format_spec is not None:
            self.visit(node.format_spec)

    # -- bindings ---------------------------------------------------------------------------------
    def bind(self, name: str, binding: Binding, scope: int | None = None) -> None:
        target = self.current if scope is None else scope
        owner = self.scopes[target]
        if name in owner.global_names:
            target = 0
            owner = self.scopes[0]
        found = owner.bindings.get(name)  # ``add_binding``, inlined: every name bound comes here
        if found.__class__ is list:  # (a list while indexing: no subclass)
            found.append(binding)
        else:
            owner.bindings[name] = [*(found or ()), binding]
        parameters = self.parameter_names  # (``in`` twice, not a call of ``get``: every name bound comes here)
        if target in parameters and name in parameters[target]:  # a parameter assigned again in the body
            rebinding = (name, self.call_conditions(), self.statement_line(), self.loops > 0)
            self.rebindings.setdefault(target, []).append(rebinding)
        elif self.locals and self.locals[-1].scope == target:
            in_loop = self.loops > 0
            self.locals[-1].bound(name, self.call_conditions, self.statement_line, in_loop, self.literal)
            if self.pure_value is not None and len(owner.bindings[name]) == 1:
                value, self.pure_value = self.pure_value, None  # read before nothing else binds
                pure = pure_text(value, self.name_text)
                if pure is not None:
                    self.pure_locals[(target, name)] = pure

    def bind_target(self, target: ast.AST, binding: Binding, value: ast.AST | None = None) -> None:
        """Bind ``target`` to ``binding``; a tuple target unpacking a tuple display of its length
        (``value``: ``p1, p2 = Path("a"), Path("b")``) binds each name to its own item, anything
        else it unpacks (``a, b = make_pair()``) leaves its names unknown."""
        # (told apart by class, as ``ast.parse`` makes them: no ``isinstance`` call)
        if target.__class__ is ast.Name:
            self.bind(target.id, binding)
        elif target.__class__ is ast.Tuple or target.__class__ is ast.List:
            for element, item in zip(target.elts, unpacked_items(target, value)):
                self.bind_target(element, UNKNOWN if item is None else self.value(item), item)
        elif target.__class__ is ast.Starred:
            self.bind_target(target.value, UNKNOWN)
        elif target.__class__ is ast.Attribute:
            self.bind_attribute(target, binding)
        # subscripts bind nothing we track

    def bind_attribute(self, target: ast.Attribute, binding: Binding) -> None:
        """``self.x = ...`` inside a method records an attribute of the method's class."""
        if not (isinstance(target.value, ast.Name)):
            return
        scope = self.scopes[self.current]
        while scope.kind == "comprehension" and scope.parent is not None:
            scope = self.scopes[scope.parent]
        owner = scope.class_qualname
        if owner is None or owner not in self.classes:
            return
        # (a loop, not ``any`` of a generator: ``is_receiver``'s shape, read by its tag)
        for each in scope.bindings.get(target.value.id, ()):
            if each[0] == "self":
                add_binding(self.classes[owner].attributes, target.attr, binding)
                return

    def value(self, node: ast.AST | None) -> Binding:
        return ("value", expr_of(node), self.current)

    def function_scope(self) -> int:
        """The scope a walrus binds in: the current one, or the function around a comprehension."""
        scope = self.current
        while True:
            parent = self.scopes[scope].parent
            if self.scopes[scope].kind != "comprehension" or parent is None:
                return scope
            scope = parent

    # -- scopes -----------------------------------------------------------------------------------
    def push(self, kind: ScopeKind, name: str, class_qualname: str | None = None) -> int:
        parent = self.scopes[self.current]
        if kind == "comprehension":
            qualname = parent.qualname
        elif parent.kind in ("function", "coroutine", "lambda"):
            qualname = f"{parent.qualname}.<locals>.{name}"
        else:
            qualname = f"{parent.qualname}.{name}"
        # every field given: the dataclass's ``__init__`` calls no default factory
        self.scopes.append(Scope(kind, self.current, qualname, {}, set(), class_qualname, set()))
        self.current = len(self.scopes) - 1
        return self.current

    # -- statements -------------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.imported_roots.add(alias.name.partition(".")[0])
            if alias.asname:
                self.bind(alias.asname, ("ref", alias.name))
                self.imports.add(alias.name)
            else:
                root = alias.name.partition(".")[0]
                self.bind(root, ("ref", root))
                # ``import pkg.mod`` loads ``pkg.mod`` too: a run over one file reads it as context
                self.imports.add(alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module, level = node.module, node.level  # (each field read once: see ``visit_Assign``)
        base = self.absolute_module(module, level)
        if level == 0 and module:
            self.imported_roots.add(module.partition(".")[0])
        for alias in node.names:
            name = alias.name
            if name == "*":
                self.unbound.add("*")
                self.star_imports.append(base)
                self.imports.add(base)  # a run over one file reads it as context
                self.before_star = set(self.scopes[0].bindings)  # a star import may rebind these
                continue
            qualname = f"{base}.{name}" if base else name
            self.bind(alias.asname or name, ("ref", qualname))
            self.imports.add(qualname)

    def absolute_module(self, module: str | None, level: int) -> str:
        if level == 0:
            return module or ""
        parts = self.package.split(".") if self.package else []
        if level > 1:
            parts = parts[: len(parts) - (level - 1)] if len(parts) >= level - 1 else []
        if module:
            parts.append(module)
        return ".".join(parts)

    def visit_Global(self, node: ast.Global) -> None:
        self.scopes[self.current].global_names.update(node.names)
        self.global_names.update(node.names)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self.annotated.declared_nonlocal(node.names)
        for function in self.locals:  # whichever encloses it, its local is no longer its own
            function.declared_nonlocal(node.names)

    def visit_Assign(self, node: ast.Assign) -> None:
        # (a node's fields read once: reading one off an ``ast`` node is a generic attribute
        # lookup, ~300 instructions, and visit_Assign read ``value`` and ``targets`` ten times)
        value, targets = node.value, node.targets
        shape = value.__class__
        if shape not in LEAVES:
            self.visit(value)
        elif self.depth >= MAX_DEPTH:  # (a leaf: passed as ``visit`` passes it)
            raise NestingTooDeep(value)
        if self.current == 0:  # (``note_table`` notes nothing elsewhere)
            self.note_table(targets, value)
        if self.locals and self.locals[-1].scope == self.current:  # only read there (``bind``)
            self.literal = first_value(targets, value, literal_value, self.gets_loop)
        single = len(targets) == 1
        self.pure_value = value if single else None
        for target in targets:
            if target.__class__ is ast.Name:  # (nothing inside, and no attribute: bound straight)
                self.bind(target.id, ("value", expr_of(value), self.current))
                continue
            self.visit_target(target)
            self.record_access("set", target)
            self.bind_target(target, self.value(value), value)
        self.literal = self.pure_value = None
        if single:
            # (each notes nothing unless the value is a test, or a call: not called for the others)
            if shape in FLAG_CLASSES:
                self.note_flag(targets[0], value)
            elif shape is ast.Call:
                self.built_locals.note(targets[0], value, self.current, self.bindings_of)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        annotation, value, target = node.annotation, node.value, node.target  # (see ``visit_Assign``)
        if annotation.__class__ not in YIELDLESS:
            self.unvisited.append(annotation)
        if value is not None:
            self.visit(value)
        self.visit_target(target)
        if value is not None:
            self.record_access("set", target)
        if self.current == 0:  # (``note_table`` notes nothing elsewhere)
            self.note_table([target], value)
        if self.locals and self.locals[-1].scope == self.current:  # only read there (``bind``)
            self.literal = first_value([target], value, literal_value, self.gets_loop)
        self.pure_value = value
        declared: Binding = ("type", annotation_of(annotation), self.current)
        # ``x: Final = value`` declares no type: x is what the value is, as if unannotated
        self.bind_target(target, self.value(value) if is_bare_final(node) else declared)
        if target.__class__ is ast.Name and self.scopes[self.current].kind in FUNCTION_KINDS:
            # (a module's or class's variables are never read as annotated: not noted)
            self.annotated.note(self.current, target.id, annotation)
        self.literal = self.pure_value = None
        self.note_flag(target, value)
        self.built_locals.note(target, value, self.current, self.bindings_of)

    def note_flag(self, target: ast.expr, value: ast.expr | None) -> None:
        """``flag = <test of the parameters>`` in a sync function's own scope, outside loops
        (flags.py)."""
        if not isinstance(target, ast.Name) or not isinstance(value, FLAG_VALUES) or self.loops:
            return
        if self.loop >= 0 or not self.locals or self.locals[-1].scope != self.current:
            return
        guard = self.decidable_guard(value)
        if self.fact_made:
            return
        flag = flag_of(guard, self.parameter_names.get(self.current, frozenset()), self.rebound_counts())
        if flag is not None:
            self.flags.setdefault(self.current, {})[target.id] = flag

    def rebound_counts(self) -> dict[str, int]:
        """How many times each parameter of the current function has been bound again so far."""
        counts: dict[str, int] = {}
        for name, _conditions, _line, _in_loop in self.rebindings.get(self.current, ()):
            counts[name] = counts.get(name, 0) + 1
        return counts

    def flags_here(self, own: dict[str, Flag]) -> dict[str, Flag]:
        """Which of the current function's flags (``own``) a guard read here may stand for:
        outside loops, bound once so far, and reading parameters none of which has been bound
        again since."""
        if self.loops or not self.locals or self.locals[-1].scope != self.current:
            return {}
        bindings = self.scopes[self.current].bindings
        nonlocal_names = self.locals[-1].nonlocal_names
        counts = self.rebound_counts()
        return {
            name: flag
            for name, flag in own.items()
            if len(bindings.get(name, ())) == 1 and name not in nonlocal_names
            and all(counts.get(parameter, 0) == count for parameter, count in flag.rebound)
        }

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.visit(node.value)
        self.visit_target(node.target)
        self.record_access("get", node.target)  # ``obj.prop += 1`` reads it, then assigns it
        self.record_access("set", node.target)
        self.bind_target(node.target, UNKNOWN)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        # a walrus in a comprehension binds in the enclosing function scope
        scope = self.function_scope()
        self.bind(node.target.id, ("value", expr_of(node.value), scope), scope)

    def note_table(self, targets: list[ast.expr], value: ast.expr | None) -> None:
        """``NAMES = (("id", "ID_ENV"), ...)`` at module level: a constant table (known.py);
        ``NAME = "API_KEY"``: a module constant, if nothing else binds it (constants.py)."""
        if self.current != 0 or len(targets) != 1 or targets[0].__class__ is not ast.Name or value is None:
            return  # (``x: int`` without a value binds nothing any of them reads)
        # each reading asked only of the values it can read (by class: a literal and a string are
        # constants, a record table a call, a table a tuple, strings a display), not all four of
        # every module-level assignment
        name, shape = targets[0].id, value.__class__
        if shape is ast.Call:
            self.records.note_table(targets[0], value, self.bound_qualname)
            return
        if shape is ast.Constant:
            keep, constant = literal_value(value)
            if keep:
                self.constants[name] = constant
        elif shape is ast.Tuple:
            table = constant_table(value, literal_value)
            if table is not None:
                self.tables[name] = table
        elif shape is not ast.List and shape is not ast.Set:
            return
        text = string_constant(value)
        if text is not None:
            self.string_constants[name] = text

    def draws_from_table(self, generator: ast.comprehension) -> None:
        """``for key, env_name in NAMES`` in a comprehension: its variables take the table's values
        (the table bound once, at module level, and not hidden by another binding)."""
        iterable = generator.iter
        if not isinstance(iterable, ast.Name) or iterable.id not in self.tables:
            return
        bound = self.bindings_of(iterable.id)
        if len(bound) != 1 or bound is not self.scopes[0].bindings.get(iterable.id):
            return
        for name, values in columns_of(generator.target, self.tables[iterable.id]).items():
            self.alternatives.setdefault(self.current, {})[name] = (iterable.id, *values)

    def with_alternatives(self, literals: tuple[Literal, ...]) -> tuple[Literal, ...]:
        """A call's arguments with the comprehension variables drawn from a table as ``ONE_OF``
        their values."""
        result: list[Literal] = []
        tables: set[str] = set()
        for key, value in literals:
            drawn = self.drawn_from_table(value[1]) if is_passed(value) else None
            if drawn is not None:
                tables.add(drawn[0])
                value = (ONE_OF, *drawn[1:])
            result.append((key, value))
        if tables:
            self.table_uses[len(self.calls)] = tables
        return tuple(result)

    def drawn_from_table(self, name: str) -> tuple[str, ...] | None:
        """(table, values) for a comprehension variable drawn from a table, seen from here."""
        scope: int | None = self.current
        while scope is not None and self.scopes[scope].kind == "comprehension":
            if name in self.scopes[scope].bindings:
                return self.alternatives.get(scope, {}).get(name)
            scope = self.scopes[scope].parent
        return None

    def visit_target(self, target: ast.AST) -> None:
        """Visit the expressions inside an assignment target (``a[f()] = ...`` calls ``f``)."""
        # (told apart by class, as ``ast.parse`` makes them: no ``isinstance`` call)
        if target.__class__ is ast.Attribute:
            base = target.value
            if base.__class__ not in LEAVES:  # (most are ``self``: passed as ``visit`` passes a leaf)
                self.visit(base)
            elif self.depth >= MAX_DEPTH:
                raise NestingTooDeep(base)
        elif target.__class__ is ast.Subscript:
            self.visit(target.value)
            self.visit(target.slice)
        elif target.__class__ is ast.Tuple or target.__class__ is ast.List:
            for element in target.elts:
                self.visit_target(element)
        elif target.__class__ is ast.Starred:
            self.visit_target(target.value)

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        iterable, target = node.iter, node.target  # (each read once: see ``visit_Assign``)
        self.loop_spans.append((node.lineno, node.end_lineno or node.lineno))
        self.visit(iterable)
        if node.__class__ is ast.For:
            self.record_iteration(iterable)
        self.loops += 1  # the target and the body run again: an assignment reaches earlier lines
        self.visit_target(target)
        self.bind_target(target, UNKNOWN)
        self.visit_block(node.body)  # ``if not isinstance(x, C): continue`` holds for the rest
        if node.orelse:
            self.visit_block(node.orelse)
        self.loops -= 1

    visit_AsyncFor = visit_For

    def visit_While(self, node: ast.While) -> None:
        self.loop_spans.append((node.lineno, node.end_lineno or node.lineno))
        self.loops += 1
        self.generic_visit(node)
        self.loops -= 1

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        sync = node.__class__ is ast.With
        for item in node.items:
            manager, bound = item.context_expr, item.optional_vars  # (each read once: see ``visit_Assign``)
            if sync:
                # entering a sync context manager is a call of its __enter__ (``with lock:`` waits)
                self.record_call(("enter", expr_of(manager)), manager)
            self.visit(manager)
            if bound is not None:
                self.visit_target(bound)
                kind: Tag["enter", "aenter"] = "enter" if sync else "aenter"
                self.bind_target(bound, (kind, expr_of(manager), self.current))
        self.visit_block(node.body)

    visit_AsyncWith = visit_With

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None:
            self.visit(node.type)
        if node.name:
            self.bind(node.name, UNKNOWN)
        self.visit_block(node.body)

    def visit_Match(self, node: ast.Match) -> None:
        """Each case under the narrowing its class pattern gives the subject (narrowing.py)."""
        self.visit(node.subject)
        for case in node.cases:
            depth = len(self.narrowed)
            guard = [case.guard] if case.guard is not None else []
            self.narrow(pattern_narrowing(node.subject, case.pattern), [case.pattern, *guard, *case.body])
            self.visit(case.pattern)
            for test in guard:
                self.visit(test)
            self.visit_block(case.body)
            del self.narrowed[depth:]

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.pattern is not None:
            self.visit(node.pattern)
        if node.name:
            captured = captured_as(node)
            self.bind(node.name, UNKNOWN if captured is None else ("value", captured, self.current))

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self.bind(node.name, UNKNOWN)

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        self.generic_visit(node)
        if node.rest:
            self.bind(node.rest, UNKNOWN)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self.visit_target(target)
            if isinstance(target, ast.Name):
                self.unbound.add(target.id)
            elif self.current == 0 and isinstance(target, (ast.Tuple, ast.List)):
                self.all_called = True  # (``del (__all__, x)`` unbinds no name: see ``public``)
            self.record_access("del", target)

    # -- definitions ------------------------------------------------------------------------------
    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        # what the walk has met so far, for what it meets in this def (``generator``, ``escapes``)
        met = (self.yields, len(self.unvisited), len(self.loop_spans))
        # (each field read once: see ``visit_Assign``)
        returns, decorator_list, name, body = node.returns, node.decorator_list, node.name, node.body
        if returns is not None and returns.__class__ not in YIELDLESS:
            self.unvisited.append(returns)  # (its parameters' annotations: ``bind_parameters``)
        if TYPE_PARAMS is not None:  # Python 3.12
            self.unvisited.extend(TYPE_PARAMS(node))
        # decorators, defaults and annotations are evaluated where the def is written
        for decorator in decorator_list:
            self.visit(decorator)
        args = node.args
        defaults, keyword_defaults = args.defaults, args.kw_defaults
        for default in (*defaults, *keyword_defaults):
            if default is not None:
                self.visit(default)
        enclosing = self.scopes[self.current]
        is_async = node.__class__ is ast.AsyncFunctionDef
        method_of = enclosing.qualname if enclosing.kind == "class" else None
        outer, outer_loop = self.current, self.loop
        # each decorator's expression and last name, once (most defs have none)
        decorators = tuple(expr_of(d) for d in decorator_list) if decorator_list else ()
        decorator_names = {last_name(d) for d in decorators} if decorators else NO_NAMES
        accessor = property_accessor(name, decorators) if method_of is not None and decorators else None
        # a property's setter and deleter are functions of their own: ``Cls.prop.setter``
        named = f"{name}.{accessor}" if accessor is not None else name
        scope = self.push("coroutine" if is_async else "function", named, method_of)
        self.bind(name, ("ref", f"{method_of}.{name}" if accessor else self.scopes[scope].qualname), outer)
        returned = annotation_of(returns) if returns is not None else None
        # (``managed_return`` of an undecorated def is None; ``is_plain_type`` of None is False)
        plain = (managed_return(node) if decorators else None) or (
            returned if returned is not None and is_plain_type(returned) else None
        )
        if "overload" in decorator_names:
            # typing.overload stubs: the type is known only when they all agree (see overloaded_returns)
            self.overloads.setdefault(self.scopes[scope].qualname, []).append(plain)
        elif plain is not None:
            self.function_returns[self.scopes[scope].qualname] = (plain, outer)
        if method_of is not None:
            self.methods[method_of].add(name)
            if decorators and not PROPERTY_DECORATOR_NAMES.isdisjoint(decorator_names):
                self.properties[method_of].add(name)
        # (the parameters' lists as ``bind_parameters`` read them, read once: see ``visit_Assign``)
        positional_args, keyword_only_args, vararg, kwarg = self.bind_parameters(args, decorator_names, method_of)
        span = (node.lineno, node.col_offset, node.end_lineno or node.lineno)
        if is_async:
            self.coroutines[scope] = span
            self.loop = scope
        else:
            self.functions[scope] = (*span, decorators, outer)
            self.parameters[scope] = parameters_of(
                positional_args, keyword_only_args, defaults, keyword_defaults, method_of, decorator_names
            )
            positional, keyword_only = self.parameters[scope][:2]
            names = self.parameter_names[scope] = frozenset((*positional, *keyword_only))
            self.loop = -1
            if vararg is not None or kwarg is not None:  # (``*args``, ``**kwargs``: locals too)
                names = names.union(a.arg for a in (vararg, kwarg) if a is not None)
            self.locals.append(LocalLiterals(scope, names))
        first_call = len(self.calls)
        outer_guards, self.guards = self.guards, []  # a body's guards start afresh
        outer_facts, self.fact_guards = self.fact_guards, set()
        outer_loops, self.loops = self.loops, 0
        outer_return, self.first_return = self.first_return, None
        self.defs += 1
        self.visit_block(body)
        self.defs -= 1
        first_return = self.first_return
        if outer_return is not None:  # else the outer function's first is this one's (or none yet)
            self.first_return = outer_return
        self.current, self.loop, self.guards, self.loops = outer, outer_loop, outer_guards, outer_loops
        self.fact_guards = outer_facts
        if not is_async:
            function = self.locals.pop()
            if function.first:  # (else no local starts as a literal: none is kept)
                self.keep_literal_locals(function, self.calls[first_call:])
            if function.returns:  # (what the returns give: nothing to keep of a def without any)
                self.note_returns(node, decorators, function, scope, method_of, partial(self.generator, *met[:2]))
            if method_of is not None:
                block = before_return(body, first_return) if name == "__init__" else []
                if block:  # (an ``__init__``'s: ``note_stores`` reads no other)
                    self.built_locals.note_stores(
                        node, scope, method_of, self.parameters[scope], self.rebindings.get(scope, []), block
                    )
                calls = [call for call in self.calls[first_call:] if call.literals]
                self.parameters[scope] = self.self_sets.finish(
                    node, scope, self.parameters[scope], self.rebindings.get(scope, []), calls,
                    self.scopes[scope].bindings, block, self.loop_spans[met[2]:],
                )

    def note_returns(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, decorators: tuple[Expr, ...], function: LocalLiterals,
        scope: int,
        method_of: str | None, generator: Callable[[], bool],
    ) -> None:
        """What a sync def's returns give, kept with its parameters: the running loop, a value
        that depends on it, or (for a method) what ``self.m()`` gives on a known class."""
        if self.gives_the_running_loop(node, decorators, function, generator):
            self.loop_returning.add(self.scopes[scope].qualname)
        returns = loop_returns(node, decorators, function.returns, function.names_bound_to(LOOP), generator)
        if returns:
            self.parameters[scope] = with_returns(self.parameters[scope], returns)
        elif method_of is not None:  # what ``self.m()`` gives on a known class (receivers.py)
            returned_values = method_returns(node, decorators, function.returns, generator)
            self.parameters[scope] = with_method_returns(self.parameters[scope], returned_values)

    def generator(self, yields: int, unvisited: int) -> bool:
        """Whether the def whose walk began when the walk had met ``yields`` yields and
        ``unvisited`` unvisited trees holds a ``yield`` anywhere (in a nested ``def`` too, as a walk
        of the whole def would find): one the walk counted since, or one in what it passed."""
        if self.yields > yields:
            return True
        return any(
            isinstance(inner, (ast.Yield, ast.YieldFrom)) for tree in self.unvisited[unvisited:] for inner in ast.walk(tree)
        )

    def gives_the_running_loop(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, decorators: tuple[Expr, ...], function: LocalLiterals,
        generator: Callable[[], bool],
    ) -> bool:
        """A plain function (``loop_values.plain_shape``, no ``yield``) whose every return that can
        run on the loop gives the running loop: its callers get the loop from it as from
        ``asyncio.get_running_loop()``."""
        if not plain_shape(node, decorators):
            return False
        positional, keyword_only, defaults, bound, _ = self.parameters[function.scope]
        rebindings = tuple(self.rebindings.get(function.scope, ()))
        parameters = (positional, keyword_only, defaults, bound, rebindings)
        if not returns_running_loop(parameters, function.returns):
            return False
        # last: walking the whole function again is dearer than the test above, which rarely holds
        return not generator()

    def function_of(self, scope: int) -> int:
        """The scope a comprehension's code belongs to (its own for any other scope)."""
        parent = self.scopes[scope].parent
        while self.scopes[scope].kind == "comprehension" and parent is not None:
            scope, parent = parent, self.scopes[parent].parent
        return scope

    def keep_literal_locals(self, function: LocalLiterals, calls: list[CallSite]) -> None:
        """Record the function's literal locals that a guard tests or a call is given, beside its
        literal defaults, and their later bindings beside the parameters' (known.py)."""
        if not function.first:  # no local starts as a literal (most functions): none is kept
            return
        used: set[str] = set()
        # the calls of a block share its guards: each distinct one is taken apart once
        guards: set[Guard] = set()
        own = function.scope
        for call in calls:  # (most calls have neither guards nor arguments: those are not looked at)
            if (call.conditions or call.literals) and (call.scope == own or self.function_of(call.scope) == own):
                for guard, _value in call.conditions:
                    guards.add(guard)
                for _key, value in call.literals:
                    if is_passed(value):
                        used.add(str(value[1]))
        for _name, conditions, _line, _in_loop in self.rebindings.get(own, ()):
            guards.update(guard for guard, _value in conditions)
        for guard in guards:
            used |= self.names_in(guard)
        used |= function.names_returns_test()
        literals, later = function.finish(used)
        if literals:
            positional, keyword_only, defaults, bound, assigned = self.parameters[function.scope]
            defaults += literals
            self.parameters[function.scope] = (positional, keyword_only, defaults, bound, assigned)
            self.rebindings.setdefault(function.scope, []).extend(later)

    visit_AsyncFunctionDef = visit_FunctionDef

    def bind_parameters(
        self, args: ast.arguments, decorator_names: Collection[str | None], method_of: str | None
    ) -> tuple[list[ast.arg], list[ast.arg], ast.arg | None, ast.arg | None]:
        """Binds the parameters in the scope just pushed; gives what it read of ``args`` — the
        positional parameters, the keyword-only ones, ``*args`` and ``**kwargs`` —, which a def
        reads again (``parameters_of``; its locals): not read off the node a second time."""
        # (each field read once: see ``visit_Assign``)
        positional = [*args.posonlyargs, *args.args]
        keyword_only = args.kwonlyargs
        everything = [*positional, *keyword_only]
        vararg, kwarg = args.vararg, args.kwarg
        if vararg:
            everything.append(vararg)
        if kwarg:
            everything.append(kwarg)
        first = positional[0].arg if positional else None
        current = self.current
        # what ``bind`` does, for the scope just pushed: no name of it is global, none is a
        # parameter assigned again or a local of the function walked (a name given twice,
        # which ``ast`` accepts, is bound twice)
        bindings = self.scopes[current].bindings
        for arg in everything:
            annotation, name = arg.annotation, arg.arg
            binding: Binding
            if annotation is not None and annotation.__class__ not in YIELDLESS:
                self.unvisited.append(annotation)  # not visited: see ``generator``
            if annotation is not None and arg is not vararg and arg is not kwarg:
                binding = ("type", annotation_of(annotation), current)
                self.annotated.note(current, name, annotation)
            elif method_of is not None and name == first and "staticmethod" not in decorator_names:
                kind: Tag["self", "cls"] = "cls" if "classmethod" in decorator_names else "self"
                binding = (kind, method_of)
            else:
                binding = UNKNOWN
            add_binding(bindings, name, binding)
        return positional, keyword_only, vararg, kwarg

    def visit_Lambda(self, node: ast.Lambda) -> None:
        for default in (*node.args.defaults, *node.args.kw_defaults):
            if default is not None:
                self.visit(default)
        outer, outer_loop = self.current, self.loop
        self.push("lambda", "<lambda>")
        self.bind_parameters(node.args, NO_NAMES, None)
        self.loop = -1
        self.defs += 1
        self.visit(node.body)
        self.defs -= 1
        self.current, self.loop = outer, outer_loop

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expression in (*node.decorator_list, *node.bases, *(k.value for k in node.keywords)):
            self.visit(expression)
        outer, outer_loop = self.current, self.loop
        if TYPE_PARAMS is not None:  # Python 3.12: see ``generator``
            self.unvisited.extend(TYPE_PARAMS(node))
        body = self.push("class", node.name)
        qualname = self.scopes[body].qualname
        self.bind(node.name, ("ref", qualname), outer)
        if outer == 0:
            self.records.note_class(node, self.bound_qualname)
            members = enum_members(node, self.bound_qualname)
            if members:
                self.enum_members[node.name] = members
                if equal_to_values(node, self.bound_qualname):  # ``type == Kind.REDIS``
                    self.enum_members[node.name] |= {f"{m}{EQUALS_VALUE}": v for m, v in members.items()}
        methods: set[str] = set()
        properties: set[str] = set()
        info = ClassInfo(
            qualname, [expr_of(b) for b in node.bases], outer, body, methods=methods, properties=properties
        )
        self.classes[qualname] = info
        self.methods[qualname] = methods
        self.properties[qualname] = properties
        self.loop = -1

        def describe_instances(statement: ast.Assign | ast.AnnAssign) -> None:
            """Class-level annotations and assignments describe the instances' attributes too (as
            each is visited: a method above may have bound the same attribute on ``self``)."""
            if isinstance(statement, ast.AnnAssign):
                if isinstance(statement.target, ast.Name):
                    # ``x: Final = value`` declares no type: x is what the value is (as in visit_AnnAssign)
                    declared: Binding = (
                        ("value", expr_of(statement.value), body) if is_bare_final(statement) and statement.value
                        else ("type", annotation_of(statement.annotation), body)
                    )
                    add_binding(info.attributes, statement.target.id, declared)
            else:
                for target in statement.targets:
                    if isinstance(target, ast.Name):
                        add_binding(info.attributes, target.id, ("value", expr_of(statement.value), body))

        self.visit_statements(node.body, describe_instances)
        self.built_locals.with_stores(qualname, info.attributes, self.parameters)  # receivers.py
        self.current, self.loop = outer, outer_loop

    def visit_comprehension_scope(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp, elements: list[ast.expr]
    ) -> None:
        # the first iterable is evaluated in the enclosing scope; the rest in the comprehension's
        first = node.generators[0]
        self.visit(first.iter)
        if not first.is_async:
            self.record_iteration(first.iter)
        outer, narrowed = self.current, len(self.narrowed)
        self.push("comprehension", "<comprehension>")
        for number, generator in enumerate(node.generators):
            if number:
                self.visit(generator.iter)
                if not generator.is_async:
                    self.record_iteration(generator.iter)
            self.bind_target(generator.target, UNKNOWN)
            if generator.target.__class__ is not ast.Name:
                self.unvisited.append(generator.target)
            self.draws_from_table(generator)
            for position, condition in enumerate(generator.ifs):
                self.visit(condition)
                # ``[c.get() for c in cs if isinstance(c, C)]``: what follows runs when it holds
                later = (*generator.ifs[position + 1 :], *node.generators[number + 1 :], *elements)
                self.narrow_by(condition, True, later)
        for element in elements:
            self.visit(element)
        del self.narrowed[narrowed:]
        self.current = outer

    def visit_ListComp(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp) -> None:
        self.visit_comprehension_scope(node, [node.elt])

    visit_SetComp = visit_ListComp
    visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self.visit_comprehension_scope(node, [node.key, node.value])

    # -- branches: the guards around calls -------------------------------------------------------
    def visit_block(self, statements: list[ast.stmt]) -> None:
        """Statements in order; after ``if <test>: return`` (or raise, continue, break) the rest of
        the block runs only when ``<test>`` was false."""
        depth, narrowed = len(self.guards), len(self.narrowed)
        level = self.depth  # (the level the statements are visited at: one below it)
        for number, statement in enumerate(statements):
            self.statement = statement
            # what ``visit`` does for a statement (never a leaf), in place: a call less for each
            kind = statement.__class__
            try:
                method = self._dispatch[kind]
            except KeyError:
                method = self.visitor_of(kind)
            if level >= MAX_DEPTH:
                raise NestingTooDeep(statement)
            self.depth = level + 1
            method(self, statement)
            self.depth = level
            if kind is ast.If or kind is ast.Assert:  # (most statements: no ``isinstance`` asked)
                if isinstance(statement, ast.If) and not statement.orelse and exits(statement.body):
                    guard = self.decidable_guard(statement.test)
                    if guard is not None:
                        self.guards.append((guard, False))
                    self.narrow_by(statement.test, False, statements[number + 1 :])
                elif isinstance(statement, ast.Assert):
                    self.narrow_by(statement.test, True, statements[number + 1 :])
        del self.guards[depth:]
        del self.narrowed[narrowed:]

    def narrow_by(self, test: ast.expr, answer: bool, region: Sequence[ast.AST]) -> None:
        """Where ``test`` gave ``answer``: its ``isinstance`` narrowings and the literals it pins."""
        read = readers_of(test)
        if not read:  # (most tests: nothing narrowed, nothing pinned, and ``narrow`` keeps nothing)
            return
        index = 0 if answer else 1
        narrowed, pinned = narrowed_and_pinned(test, read)
        self.narrow(narrowed[index], region, pinned[index])

    def narrow(self, narrowed: Narrowed, region: Sequence[ast.AST], pinned: Equalities | None = None) -> None:
        """Where a test's narrowings hold from here on (``region``: what runs only after the test
        gave that answer) — those of the names it never binds again (narrowing.py), and the
        literals it pins names and mapping keys to (equalities.py)."""
        if narrowed or pinned:  # each reads the whole region: walked once for both
            region = walked(region)
        narrowed = without_rebound(narrowed, region)
        pinned = holding_throughout(pinned, region) if pinned else {}
        if narrowed or pinned:
            self.narrowed.append((self.current, narrowed, pinned))

    def narrowings_here(self) -> Narrowed:
        """The narrowings that hold for the code being visited: those of a test in its own scope
        or in a comprehension around it, less the names a comprehension nearer the code binds
        (a nested ``def`` or ``lambda`` sees none: it may run after the name changed)."""
        hidden_at: dict[int, set[str]] = {}  # scope -> the names bound by the scopes inside it
        hidden: set[str] = set()
        scope: int | None = self.current
        while scope is not None:
            hidden_at[scope] = set(hidden)
            if self.scopes[scope].kind != "comprehension":
                break
            hidden.update(self.scopes[scope].bindings)
            scope = self.scopes[scope].parent
        here: Narrowed = {}
        for owner, narrowed, _pinned in self.narrowed:
            if owner in hidden_at:
                here.update((name, typed) for name, typed in narrowed.items() if name not in hidden_at[owner])
        return here

    def pinned_here(self) -> Equalities:
        """The literals pinned where the code being visited is (in its own function's scope only:
        a comprehension may rebind the name, a nested ``def`` run later)."""
        here: Equalities = {}
        for owner, _narrowed, pinned in self.narrowed:
            if owner == self.current:
                here.update(pinned)
        return here

    def decidable_guard(self, test: ast.expr) -> Guard | None:
        """The guard of a test, when arguments could decide it: only in a sync function (a
        coroutine's calls are never pruned) and only over names."""
        if self.loop >= 0:
            return None
        self.fact_made = False
        guard = self.read_guard(test)
        names = decidable_names(guard)
        if names is None:
            return None
        # an attribute path (``plan.sync``) reads the variable it starts with
        if self.scopes[self.current].kind in INNER_KINDS and not {
            name.partition(".")[0] for name in names
        }.isdisjoint(self.inner_names()):
            return None
        self.guard_names[guard] = names  # for ``names_in``
        own = self.flags.get(self.current)
        if own and not names.isdisjoint(own):
            flags = self.flags_here(own)
            if flags:
                guard = with_flags(guard, flags)
        if self.fact_made:
            self.fact_guards.add(id(guard))
        return guard

    def names_in(self, guard: Guard) -> frozenset[str]:
        """``guards.names_in``, once per distinct guard of the module (a test is taken apart when
        it is read, when the flags are looked for and when the function's literal locals are)."""
        names = self.guard_names.get(guard)
        if names is None:
            names = self.guard_names[guard] = frozenset(names_in(guard))
        return names

    def inner_names(self) -> set[str]:
        """The names bound by the comprehensions and lambdas the code being visited is in: they
        hide the function's own (``[open(p) if p else None for p in paths]`` tests each ``p``)."""
        names: set[str] = set()
        scope: int | None = self.current
        while scope is not None and self.scopes[scope].kind in INNER_KINDS:
            names.update(self.scopes[scope].bindings)
            scope = self.scopes[scope].parent
        return names

    def class_named(self, node: ast.expr) -> str | None:
        """The class (or ``isinstance``) a guard's ``isinstance`` test names, as seen from here."""
        return self.type_tests.class_named(node, self.bindings_of, self.current)

    def bound_qualname(self, node: ast.expr) -> str | None:
        """What a name or ``module.name`` is bound to here, when that is one import or definition
        (``str`` unbound: the builtin)."""
        found = bound_to(node, self.bindings_of)
        return None if found is None else found[0]

    def member_named(self, node: ast.Attribute) -> str | None:
        """``Class.MEMBER`` of a guard's ``Class.MEMBER.value``: the qualified name, when ``Class``
        is bound here to one import or definition (a later binding makes the module's guards that
        read one unknown: enums.MemberReads)."""
        found = bound_to(node, self.bindings_of)
        if found is None and self.star_imports and isinstance(node.value, ast.Name):
            name = node.value.id  # bound by no scope: perhaps by a star import (stars.py)
            if not self.bindings_of(name) and name not in BUILTIN_NAMES:
                found = f"{self.module}.{name}.{node.attr}", name, ()
        if found is None:
            return None
        member, name, bound = found
        self.member_reads.assumed.append((self.current, name, bound, member))
        return member

    def name_text(self, name: str) -> Pure | None:
        """A name in a fact guard (facts.py): a parameter of the function being visited, or a
        local of it bound to a pure expression, with how many bindings it has and the loops."""
        scope = self.current
        if not self.locals or self.locals[-1].scope != scope:
            return None
        count = len(self.scopes[scope].bindings.get(name, ()))
        own: Dep = (name, count, self.loops)
        if name in self.parameter_names.get(scope, ()):
            return "{" + name + "}", (own,)
        pure = self.pure_locals.get((scope, name))
        return None if pure is None else (pure[0], (*pure[1], own))

    def fact_of(self, node: ast.Call) -> Guard | None:
        fact = fact_of(node, self.bound_qualname, self.name_text)
        self.fact_made = self.fact_made or fact is not None
        return fact

    def binding_state(self, name: str) -> tuple[int, int]:
        """A name's bindings so far in the scope being visited, and the loops around (facts.py)."""
        return len(self.scopes[self.current].bindings.get(name, ())), self.loops

    def helper_call(self, node: ast.Call) -> bool:
        """A call whose result may be a project helper's value on the loop (loop_values.py): of a
        function by name, or of a module's or a class's named — not of an instance, since a
        subclass may override what it calls."""
        function = node.func
        if function.__class__ is ast.Name:  # a def further down the module is not bound yet
            return all(binding[0] == "ref" for binding in self.bindings_of(function.id))
        if function.__class__ is ast.Attribute:  # (by class: see ``decidable_guard``)
            base = function.value
            if base.__class__ is ast.Name:
                owners = self.bindings_of(base.id)
                return bool(owners) and all(owner[0] == "ref" for owner in owners)
        return False

    def gets_loop(self, node: ast.expr) -> bool:
        """A call that gets the running event loop: ``asyncio.get_running_loop()``, or a call
        without arguments of a function of this module (defined before) that returns it."""
        if node.__class__ is not ast.Call:  # asked of every part of every test read
            return False
        if node.args or node.keywords:  # (both kinds of call are without arguments)
            return False
        if gets_running_loop(node, self.bindings_of):
            return True
        if not self.loop_returning:
            return False
        function = node.func
        if isinstance(function, ast.Name):
            bound = self.bindings_of(function.id)
            return any(binding == ("ref", qualname) for binding in bound for qualname in self.loop_returning)
        if isinstance(function, ast.Attribute) and isinstance(function.value, ast.Name):
            owners = self.bindings_of(function.value.id)
            # a class named, not ``cls``/``self``: a subclass may override what they call
            return bool(owners) and all(
                owner[0] == "ref" and f"{owner[1]}.{function.attr}" in self.loop_returning
                for owner in owners
            )
        return False

    def visit_Return(self, node: ast.Return) -> None:
        if self.first_return is None:
            self.first_return = node
        returned = node.value  # (read once: see ``visit_Assign``)
        if returned.__class__ not in LEAVES:  # (a name or a constant: passed as ``visit`` passes a leaf)
            if returned is not None:
                self.visit(returned)
        elif self.depth >= MAX_DEPTH:
            raise NestingTooDeep(returned)
        if self.locals and self.locals[-1].scope == self.current:
            value = ("const", None) if returned is None else self.read_returned(returned)
            self.locals[-1].returned(value, self.call_conditions(), self.statement_line())

    def is_module_name(self, name: str) -> bool:
        """Whether ``name`` read here is the module's (no scope in between binds it)."""
        bound = self.bindings_of(name)
        return bool(bound) and bound is self.scopes[0].bindings.get(name)

    def bindings_of(self, name: str) -> Sequence[Binding]:
        """A name's bindings so far, in the innermost scope that binds it (comprehensions and class
        bodies aside, as Python looks names up from a function)."""
        scope: int | None = self.current
        while scope is not None:
            found = self.scopes[scope].bindings.get(name)
            if found and (scope == self.current or self.scopes[scope].kind != "class"):
                return found
            scope = self.scopes[scope].parent
        return []

    def visit_Try(self, node: ast.Try) -> None:
        """The handlers of a ``try`` that only gets the running loop never run on the loop: they
        run under a guard that is false there (``except RuntimeError: asyncio.run(...)``)."""
        self.visit_block(node.body)
        dead = self.loop < 0 and only_gets_loop(node.body, self.gets_loop)
        if dead:
            self.guards.append((LOOP, False))
        for handler in node.handlers:
            self.visit(handler)
        if dead:
            self.guards.pop()
        for block in (node.orelse, node.finalbody):
            if block:
                self.visit_block(block)

    def visit_If(self, node: ast.If) -> None:
        self.visit_guarded(node.test, node.body, node.orelse, self.visit_block)

    def visit_IfExp(self, node: ast.IfExp) -> None:
        self.visit_guarded(node.test, node.body, node.orelse, self.visit)

    def visit_guarded(self, test: ast.expr, body: Any, orelse: Any, visit_branch: Callable[[Any], None]) -> None:
        """An ``if`` statement or expression: each branch under its guard, true then false."""
        self.visit(test)
        guard = self.decidable_guard(test)
        # (most tests narrow and pin nothing: ``narrow`` would keep nothing for either branch)
        read = readers_of(test)
        narrowed, pinned = narrowed_and_pinned(test, read) if read else NOTHING_NARROWED
        for branch, expected in ((body, True), (orelse, False)):
            if not branch and branch.__class__ is list:  # no ``else``: nothing runs under it
                continue
            if guard is not None:
                self.guards.append((guard, expected))
            depth = len(self.narrowed)
            if read:
                index = 0 if expected else 1
                self.narrow(narrowed[index], branch if isinstance(branch, list) else [branch], pinned[index])
            visit_branch(branch)
            del self.narrowed[depth:]
            if guard is not None:
                self.guards.pop()

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        """``a and f()`` calls ``f`` only when ``a`` is true (``a or f()``: when it is false)."""
        depth, narrowed = len(self.guards), len(self.narrowed)
        expected = node.op.__class__ is ast.And
        values = node.values  # (read once: see ``visit_Assign``)
        last = len(values) - 1
        for number, operand in enumerate(values):
            self.visit(operand)
            if number == last:
                break
            guard = self.decidable_guard(operand)
            if guard is not None:
                self.guards.append((guard, expected))
            self.narrow_by(operand, expected, values[number + 1 :])
        del self.guards[depth:]
        del self.narrowed[narrowed:]

    # -- calls ------------------------------------------------------------------------------------
    def visit_Await(self, node: ast.Await) -> None:
        value = node.value  # (read once: see ``visit_Assign``)
        if value.__class__ is ast.Call:
            self.awaited.add(id(value))
        self.visit(value)

    def visit_Call(self, node: ast.Call) -> None:
        # (each field read once: see ``visit_Assign``)
        function, args, keywords = node.func, node.args, node.keywords
        given = bool(args or keywords)
        called = expr_of(function)
        func: CallFunc = called
        # (the IR's shapes read by position: ``last_name``, ``attribute_name`` and ``is_partial``
        # cost a function call and a ``match`` each, for each of the project's calls)
        kind = called[0]
        # recorded by name (derived from the catalogue): the resolver decides what the callee is
        if (
            args and (kind == "name" or kind == "attr") and called[-1] in ARGUMENT_TAKERS
            and args[0].__class__ is not ast.Starred
        ):
            func = ("arg", called, expr_of(args[0]))
        receiver: ast.expr | None = None  # a called attribute's base (``receiver.method(...)``)
        if function.__class__ is ast.Attribute:
            receiver = function.value
            if self.switched and receiver.__class__ is ast.Name and receiver.id in self.scopes[self.current].nonblocking:
                func = on_nonblocking(func, receiver.id)  # see note_nonblocking
            if function.attr in NONBLOCKING_ARGUMENTS:
                self.note_nonblocking(func, node)
        if func[0] == "attr" and func[2] in CALLBACK_POSITIONS:  # (also ``(x := a.b)(...)``: the IR
            # sees through the walrus)
            position = CALLBACK_POSITIONS[func[2]]
            if len(args) > position:
                self.callbacks.append((self.current, func, expr_of(args[position])))
        # whether what the call is given can be read: in a def or lambda (the summary keeps a
        # function's calls with their arguments, and a method's calls are read for its receiver
        # passed on: ``self_sets.escapes``) or on the loop; code that runs at import (module and
        # class bodies) is summarised as the targets it calls alone
        kept = self.defs > 0 or self.loop >= 0
        # (a third of the calls have no arguments: not asked)
        if kind == "partial" or not given or not kept:
            literals: tuple[Literal, ...] = ()  # a call without arguments has no literal ones
        else:
            # (the call's fields as read above, here and for ``may_pass_a_test``: not read again)
            literals = given_literals(args, keywords, self.pinned_here() if self.narrowed else None)
        if self.alternatives:
            literals = self.with_alternatives(literals)
        if given:  # a test passed on (flags.py), a table entry's fields (records.py)
            if self.loop < 0:
                flags = self.flags.get(self.current, ())
                if may_pass_a_test(args, keywords, flags):  # (most calls pass no test: asked here, once)
                    literals = with_tested_arguments(node, literals, self.decidable_guard, flags)
            if kept and self.records.tables:  # (``fields_given`` gives none without a table)
                literals = self.records.fields_given(node, literals, self.is_module_name, len(self.calls))
        if kept and receiver is not None and receiver.__class__ is ast.Name:  # ``name.method(...)``
            # (the only calls ``marked_call`` marks: the others are not handed to it)
            literals = self.built_locals.marked_call(
                receiver.id, literals, self.current, self.bindings_of, self.loops > 0, self.loop < 0, len(self.calls),
                self.pinned_here() if self.narrowed else None,
            )
        self.record_call(func, node, literals)
        # what ``generic_visit`` does for a call (its fields are func, args, keywords), without the
        # field loop: a call is the commonest node with children
        depth = self.depth
        at_bound = depth >= MAX_DEPTH
        if receiver is not None:
            # what ``visit`` and ``visit_Attribute`` do for it, in place: a called attribute is a
            # method call, not a read (nothing recorded); its base is visited one level deeper
            if at_bound:
                raise NestingTooDeep(function)
            if receiver.__class__ not in LEAVES:
                self.depth = depth + 1
                self.visit(receiver)
                self.depth = depth
            elif depth + 1 >= MAX_DEPTH:
                raise NestingTooDeep(receiver)
        elif function.__class__ not in LEAVES:
            self.visit(function)
        elif at_bound:
            raise NestingTooDeep(function)
        for child in args:
            if child.__class__ in LEAVES:
                if at_bound:
                    raise NestingTooDeep(child)
            else:
                self.visit(child)
        for keyword in keywords:
            # what ``visit`` and ``visit_keyword`` do for it, in place: its value is visited one
            # level deeper (7,700 keywords for every 10th homeassistant file)
            if depth + 1 > MAX_DEPTH:
                raise NestingTooDeep(keyword)
            value = keyword.value
            if value.__class__ not in LEAVES:
                self.depth = depth + 1
                self.visit(value)
                self.depth = depth
            elif depth + 1 >= MAX_DEPTH:
                raise NestingTooDeep(value)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        """Reading an attribute calls a property's getter: recorded as an access the resolver
        judges (only a project property of a known type is followed)."""
        base = node.value  # (read once, and handed to ``accessed_attribute``)
        if node.ctx.__class__ is ast.Load:  # (``record_access``'s read; a called one: ``visit_Call``)
            accessed = accessed_attribute(node, base)
            if accessed is not None:
                self.record_call(("get", accessed), node)
        if base.__class__ in LEAVES:  # most bases are names: passed as ``visit`` passes a leaf
            if self.depth >= MAX_DEPTH:
                raise NestingTooDeep(base)
        else:
            self.visit(base)

    def record_access(self, kind: Tag["get", "set", "del"], target: ast.AST) -> None:
        """An attribute read, assigned or deleted: ``obj.prop`` and ``self.client.prop``. (Deeper
        bases are not recorded: each access recorded is resolved, and properties are read off
        names and their attributes.)"""
        if target.__class__ is not ast.Attribute:
            return
        if kind != "get" and self.locals and self.function_of(self.current) == (scope := self.locals[-1].scope):
            statement = self.statement
            end = (statement.end_lineno or statement.lineno, statement.end_col_offset or 0) if statement else (0, 0)
            self.self_sets.note(scope, self.parameters[scope], target, end, self.call_conditions, self.loops > 0)
        accessed = accessed_attribute(target)
        if accessed is not None:
            self.record_call((kind, accessed), target)

    def note_nonblocking(self, func: CallFunc, node: ast.Call) -> None:
        """``sock.setblocking(False)`` (catalogue: ``NONBLOCKING_SWITCHES``): the calls on ``sock``
        that come after it in the same scope (in source order) are on a socket that never waits."""
        target = node.func
        if not isinstance(target, ast.Attribute) or target.attr not in NONBLOCKING_ARGUMENTS:
            return
        if not isinstance(target.value, ast.Name):
            return
        argument = node.args[0] if len(node.args) == 1 else None
        switching = NONBLOCKING_ARGUMENTS[target.attr]
        if isinstance(argument, ast.Constant) and argument.value == switching:
            self.scopes[self.current].nonblocking.add(target.value.id)
            self.switched = True

    def record_call(self, func: CallFunc, node: ast.expr, literals: tuple[Literal, ...] = ()) -> None:
        if self.narrowed:
            func = substituted(func, self.narrowings_here())
        loop, guards = self.loop, self.guards
        fields = (
            func,
            self.current,
            node.lineno,
            node.col_offset,
            node.end_lineno or node.lineno,
            node.end_col_offset or node.col_offset,
            loop >= 0,
            loop,
            id(node) in self.awaited if self.awaited else False,  # (no ``id`` call before any ``await``)
            literals,
            # (no guards around most calls: no ``tuple`` call for them)
            () if loop >= 0 or not guards else tuple(guards) if not self.fact_guards else self.call_conditions(),
        )
        # every field given: the tuple made directly, without the NamedTuple's Python ``__new__``
        self.calls.append(new_call_site(CallSite, fields))

    def statement_line(self) -> int:
        """The first line of the statement being walked (where a name is bound): read off it when
        a binding or a ``return`` of a sync function's body asks, not stored for each of the
        30,000 statements walked for every 10th homeassistant file (0 before the first)."""
        statement = self.statement
        return 0 if statement is None else statement.lineno

    def call_conditions(self) -> tuple[Condition, ...]:
        if not self.fact_guards:
            return tuple(self.guards)
        holds = self.binding_state
        return tuple(
            (with_stale_facts_spent(g, holds) if id(g) in self.fact_guards else g, value) for g, value in self.guards
        )

    def record_iteration(self, iterable: ast.expr) -> None:
        """A sync ``for``, comprehension or ``yield from`` over a call's result, a name or an
        attribute (``for line in f:``) iterates it, placed at the iterable (the libcst walk confirms
        it there): on the loop in a coroutine, and as a call of the body of a sync function, so a
        helper that iterates a cursor or a directory listing held in a variable blocks."""
        if isinstance(iterable, (ast.Call, ast.Name, ast.Attribute)) and (self.loop >= 0 or self.locals):
            self.record_call(("iterate", expr_of(iterable)), iterable)

    def visit_Yield(self, node: ast.Yield) -> None:
        self.yields += 1
        if node.value is not None:
            self.visit(node.value)

    def visit_YieldFrom(self, node: ast.YieldFrom) -> None:
        """``yield from iterable`` iterates it (only a sync generator can: not a coroutine)."""
        self.yields += 1
        self.visit(node.value)
        self.record_iteration(node.value)


def index_module(tree: ast.Module, module: str, package: str, arguments_read: bool = True) -> ModuleIndex:
    """Raises ``NestingTooDeep`` beyond ``MAX_DEPTH`` levels. ``arguments_read=False``: the calls'
    arguments are not read against the module's names (``with_module_constants``) but left to
    whoever keeps a call (``unread_arguments``): the summary drops 45 % of the calls with arguments
    (every 20th homeassistant file, the run's matcher). What the index does with the arguments
    after that reading — a receiver's class (``with_class``), a table entry's fields dropped
    (``without_fields``) — changes other arguments than those it reads, or replaces them with
    what it leaves as they are, so reading later gives the same arguments."""
    indexer = _Indexer(module, package)
    indexer.visit_statements(tree.body)
    changed = changed_names(indexer)
    calls = with_module_constants(
        without_changed_tables(indexer.calls, indexer.table_uses, indexer.scopes[0]), indexer, changed, arguments_read
    )
    if not indexer.type_tests.still_hold(indexer.scopes, "*" in indexer.unbound):
        # a name an ``isinstance`` or ``len`` test read is bound otherwise: those tests are unknown
        calls, indexer.rebindings = with_guards_changed(
            calls, indexer.rebindings, lambda conditions, _scope: without_type_tests(conditions, ISINSTANCE_TESTS)
        )
    for number, built in indexer.built_locals.classes_named(indexer.scopes).items():  # receivers.py
        calls[number] = with_literals(calls[number], with_class(calls[number].literals, built))
    for number in indexer.records.changed(indexer.scopes[0], changed):  # records.py
        calls[number] = with_literals(calls[number], without_fields(calls[number].literals))
    strings = module_constants(indexer.string_constants, indexer.scopes[0], changed)
    if strings:
        naming = guards_naming(strings.keys(), indexer.names_in)
        calls, indexer.rebindings = with_guards_changed(
            calls, indexer.rebindings,
            lambda conditions, scope: (
                with_string_constants(conditions, scope, indexer.scopes, strings) if naming(conditions) else conditions
            ),
        )
    broken = indexer.member_reads.broken(indexer.scopes, indexer.before_star)
    if broken:
        calls, indexer.rebindings = with_guards_changed(
            calls, indexer.rebindings, lambda conditions, _scope: without_members(conditions, broken)
        )
    index = ModuleIndex(
        module=module,
        package=package,
        scopes=indexer.scopes,
        classes=indexer.classes,
        calls=calls,
        coroutines=indexer.coroutines,
        imported_roots=indexer.imported_roots,
        function_returns=overloaded_returns(indexer.function_returns, indexer.overloads, indexer.scopes),
        functions=indexer.functions,
        callbacks=indexer.callbacks,
        parameters=indexer.parameters,
        rebindings=indexer.rebindings,
        constants=indexer.exported,
        imports=indexer.imports,
        star_imports=tuple(indexer.star_imports),
        public=indexer.public(tree),
        unread=None if arguments_read else (indexer.annotated, "*" in indexer.unbound),
    )
    indexer.cut_cycles()
    return index


def without_changed_tables(calls: list[CallSite], uses: dict[int, set[str]], module: Scope) -> list[CallSite]:
    """A table bound more than once in the module (later, or by a function's ``global``) is not a
    constant: the calls whose arguments were drawn from it have no literal values there."""
    changed = {number for number, tables in uses.items() if any(len(module.bindings[t]) > 1 for t in tables)}
    for number in changed:
        literals = tuple((key, NOT_LITERAL if is_one_of(v) else v) for key, v in calls[number].literals)
        calls[number] = with_literals(calls[number], literals)
    return calls


def with_module_constants(
    calls: list[CallSite], indexer: _Indexer, changed: set[str], read: bool = True
) -> list[CallSite]:
    """Each argument that names a module constant is its literal, one that names an import its
    marker (constants.py); none of the ``changed`` names is (``changed_names``: what ``global``,
    ``del`` or a star import may rebind). Not ``read``: the names are worked out (the module
    exports them) but the arguments are left as they are (``index_module``'s ``arguments_read``)."""
    module = indexer.scopes[0]
    names: dict[str, ArgumentValue] = module_imports(module, changed, indexer.module)
    names |= module_constants(indexer.constants, module, changed)
    names |= {
        f"{owner}.{member}": value
        for owner, members in indexer.enum_members.items()
        if owner not in changed and len(module.bindings.get(owner, ())) == 1
        for member, value in members.items()
    }
    indexer.exported = names
    if not read:
        return calls
    star_import, scopes, annotated = "*" in indexer.unbound, indexer.scopes, indexer.annotated
    for number, call in enumerate(calls):
        if call.literals:  # (most calls have none: an access, a call without arguments)
            # also: an argument typed by a builtin builder stays typed only while the builtin is one
            literals = read_arguments(call.literals, call.scope, scopes, names, annotated, star_import)
            if literals is not None:
                calls[number] = with_literals(call, literals)
    indexer.annotated.found.clear()  # read: an indexer may wait for the cyclic collector
    indexer.annotated.names.clear()
    return calls


def changed_names(indexer: _Indexer) -> set[str]:
    """The module-level names something other than their one binding may rebind (``global``,
    ``del``; a star import: every name bound before it): never constants."""
    changed = indexer.unbound | indexer.global_names  # (not a union of every scope's: most have none)
    if "*" in changed:
        changed = (changed - {"*"}) | indexer.before_star
    return changed


def with_guards_changed(
    calls: list[CallSite], rebindings: dict[int, list[Rebinding]],
    change: Callable[[tuple[Condition, ...], int], tuple[Condition, ...]],
) -> tuple[list[CallSite], dict[int, list[Rebinding]]]:
    """The module's calls and parameter rebindings with ``change`` made to the guards of each
    (given the scope they are in). Every change maps each guard to one: a call without guards (all
    on the loop, most of the others) is kept as it is, not rebuilt."""
    changed = [
        with_conditions(call, change(call.conditions, call.scope)) if call.conditions else call for call in calls
    ]
    rebound = {
        scope: [(name, change(conditions, scope), line, in_loop) for name, conditions, line, in_loop in found]
        for scope, found in rebindings.items()
    }
    return changed, rebound


def guards_naming(
    names: Collection[str], names_in: Callable[[Guard], frozenset[str]]
) -> Callable[[tuple[Condition, ...]], bool]:
    """Whether some guard of a call's conditions names one of ``names`` — each guard object asked
    once (the calls of a block share their guards' objects; ``names_in``: the indexer's, which
    takes each distinct guard apart once). Asked while every guard it met is held by a call."""
    answers: dict[int, bool] = {}

    def naming(conditions: tuple[Condition, ...]) -> bool:
        for guard, _value in conditions:
            answer = answers.get(id(guard))
            if answer is None:
                answer = answers[id(guard)] = not names_in(guard).isdisjoint(names)
            if answer:
                return True
        return False

    return naming


#: What ``expr_of`` sees through (``(await x).y`` is ``x.y``)
SEEN_THROUGH = frozenset({ast.Await, ast.NamedExpr})


def accessed_attribute(target: ast.Attribute, base: ast.expr | None = None) -> AttrExpr | None:
    """``expr_of(target)`` when it is ``name.attr`` or ``name.attr.attr`` (the accesses the index
    records) and the attribute may be a property — not a class, a constant or a dunder (never a
    property worth a resolution) —, else None; read off the tree, not built for every attribute
    and then matched. ``base``: ``target.value`` when the caller has read it (``visit_Attribute``,
    for every attribute read: a field read off an ast node is a generic attribute lookup)."""
    attribute = target.attr
    first = attribute[0]  # (an attribute has a name: cheaper than a slice and ``startswith``)
    if first.isupper() or (first == "_" and attribute[1:2] == "_"):
        return None
    if base is None:
        base = target.value
    if base.__class__ is ast.Name:
        return ("attr", ("name", base.id), attribute)
    if base.__class__ is ast.Attribute:
        inner = base.value
        if inner.__class__ is ast.Name:
            return ("attr", ("attr", ("name", inner.id), base.attr), attribute)
        if inner.__class__ not in SEEN_THROUGH:
            return None
    elif base.__class__ not in SEEN_THROUGH:
        return None
    match expr_of(target):
        case ("attr", ("name", _) | ("attr", ("name", _), _), _) as accessed:
            return accessed
    return None


def with_literals(call: CallSite, literals: tuple[Literal, ...]) -> CallSite:
    """``call._replace(literals=literals)``, built directly: ``_replace`` (and even the
    NamedTuple's Python ``__new__``) costs several times more, and the index replaces tens of
    thousands of call sites on a large project (the literals are the next-to-last field)."""
    return new_call_site(CallSite, (*call[:-2], literals, call[-1]))


def with_conditions(call: CallSite, conditions: tuple[Condition, ...]) -> CallSite:
    """``call._replace(conditions=conditions)`` without ``_replace``'s Python ``_make`` (the
    conditions are the last field)."""
    return call if conditions is call.conditions else new_call_site(CallSite, (*call[:-1], conditions))


def overloaded_returns(
    returns: dict[str, tuple[Expr, int]], overloads: dict[str, list[Expr | None]], scopes: list[Scope]
) -> dict[str, tuple[Expr, int]]:
    """A function with ``@overload`` stubs returns what its stubs say, not what its implementation
    is annotated with (usually a union): a type when every stub names the same one, else unknown —
    never the first or last stub's (``get_client()`` overloaded on ``sync_client: bool`` returns a
    sync or an async client depending on the argument)."""
    if not overloads:
        return returns
    result = dict(returns)
    for qualname, stubs in overloads.items():
        result.pop(qualname, None)
        first = stubs[0]
        if first is not None and all(stub == first for stub in stubs):
            outer = next(s.parent for s in scopes if s.qualname == qualname and s.parent is not None)
            result[qualname] = (first, outer)
    return result


#: ``narrowed_and_pinned`` of a test ``readers_of`` finds nothing to read in (``visit_guarded``)
NOTHING_NARROWED: tuple[tuple[Narrowed, Narrowed], tuple[Equalities, Equalities]] = (({}, {}), ({}, {}))

#: Trees with nothing inside (``_Indexer.generator`` need not walk them for a ``yield``)
YIELDLESS = frozenset({ast.Name, ast.Constant})

#: The scopes whose names hide a function's own from its guards (``inner_names``)
INNER_KINDS = frozenset({"comprehension", "lambda"})

#: The last names of no decorators
NO_NAMES: frozenset[str | None] = frozenset()

#: Decorators that make a method a property, by their last name (``property``, ``functools.cached_property``)
PROPERTY_DECORATOR_NAMES = frozenset({"property", "cached_property"})


def property_accessor(name: str, decorators: tuple[Expr, ...]) -> str | None:
    """"setter" or "deleter" for ``@name.setter``/``@name.deleter`` over ``def name``."""
    for decorator in decorators:
        match decorator:
            case ("attr", ("name", owner), ("setter" | "deleter") as accessor) if owner == name:
                return accessor
    return None


def is_passed(value: object) -> TypeGuard[tuple[str, ...]]:
    """A call's argument that is the caller's own variable (``PASSED``)."""
    return isinstance(value, tuple) and value[:1] == (PASSED,)


def exits(body: list[ast.stmt]) -> bool:
    """Whether a block always leaves the enclosing block (its last statement jumps away)."""
    return bool(body) and isinstance(body[-1], (ast.Return, ast.Raise, ast.Continue, ast.Break))


def parameters_of(
    positional_args: list[ast.arg], keyword_only_args: list[ast.arg], positional_defaults: list[ast.expr],
    keyword_defaults: list[ast.expr | None], method_of: str | None, decorator_names: Collection[str | None],
) -> Parameters:
    """(positional names, keyword-only names, literal defaults, bound) of a def whose ``arguments``
    hold these lists (read off it once by ``visit_FunctionDef`` and ``bind_parameters``): ``bound``
    when the first positional parameter is the instance or class a method call supplies."""
    positional = tuple(map(ARGUMENT_NAME, positional_args))  # (no generator: one per def)
    defaults: list[tuple[str, object]] = []
    for arg, default in zip(reversed(positional), reversed(positional_defaults)):
        keep, value = default_value(default, literal_value)
        if keep:
            defaults.append((arg, value))
    for keyword_only, keyword_default in zip(keyword_only_args, keyword_defaults):
        if keyword_default is not None:
            keep, value = default_value(keyword_default, literal_value)
            if keep:
                defaults.append((keyword_only.arg, value))
    bound = method_of is not None and "staticmethod" not in decorator_names
    return (positional, tuple(map(ARGUMENT_NAME, keyword_only_args)), tuple(defaults), bound, ())


#: A parameter's name (``parameters_of``)
ARGUMENT_NAME: Callable[[ast.arg], str] = attrgetter("arg")


def add_binding(bindings: dict[str, Sequence[Binding]], name: str, binding: Binding) -> None:
    """One more binding of ``name`` (the index's binding sequences are lists)."""
    found = bindings.get(name)
    if found.__class__ is list:  # (a list while indexing: no subclass)
        found.append(binding)
    else:
        bindings[name] = [*(found or ()), binding]


def unpacked_items(target: ast.Tuple | ast.List, value: ast.AST | None) -> list[ast.expr | None]:
    """The item of ``value`` each element of ``target`` gets: a tuple or list display of the same
    length, without starred items on either side; else None for each (unknown)."""
    if (
        isinstance(value, (ast.Tuple, ast.List))
        and len(value.elts) == len(target.elts)
        and not any(isinstance(node, ast.Starred) for node in (*value.elts, *target.elts))
    ):
        return list(value.elts)
    return [None] * len(target.elts)


def is_plain_type(annotation: Expr | None) -> bool:
    """A return annotation that names one class (``Session``, ``requests.Session``)."""
    match annotation:
        case ("name", _) | ("attr", _, _):
            return True
    return False


def on_nonblocking(func: CallFunc, name: str) -> CallFunc:
    """A method called on ``name`` after ``name.setblocking(False)``: on a socket that never waits.
    (A call of a method in ``catalogue.ARGUMENT_TAKERS`` on it is left alone: no such method waits.)"""
    match func:
        case ("attr", _, method):
            return ("attr", ("nonblocking", name), method)
    return func
