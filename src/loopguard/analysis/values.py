"""The values that cross the analysis's stages, each shape with its own type.

Every value the index records, the resolver computes, a summary carries to the main process and the
cache stores is a tuple whose first item is a tag naming its shape: ``("ref", "requests.get")``,
``("attr", ("name", "client"), "get")``. Each shape has a type below, and code takes values apart
with ``match`` on the tag (``case ("inst", type_name):``), which mypy narrows to that one shape.

Why tagged tuples rather than NamedTuples or dataclasses: summaries cross processes by pickle and
are the cache's MessagePack entries, and builtin tuples do both at C speed — MessagePack even reads
them back as they were written, so a cached summary is checked, never rebuilt. Measured on 100,000
values (half of them nested three deep; best of 5 on the shared 2-core machine): ``pickle.loads``
74 ms for tuples, 896 ms for NamedTuples, 1,184 ms for frozen dataclasses (1,080 ms slotted), and
``pickle.dumps`` 146 ms against 907 / 828 / 535 ms; building a NamedTuple costs 13 times a tuple
display; and classes would have to be rebuilt from the cache's arrays, which costs about twice the
schema check. ``match`` costs about 0.1 µs a value more than an ``x[0] == "tag"`` comparison.

Tags are unique within each union, so a value never matches a pattern meant for another shape.
"""

from __future__ import annotations

from typing import Literal, TypeAlias, TypeGuard

from loopguard.models import Literal as Argument

# -- expressions: an ``ast`` expression as the index records it (``expressions.expr_of``) ----------
NameExpr: TypeAlias = tuple[Literal["name"], str]
AttrExpr: TypeAlias = tuple[Literal["attr"], "Expr", str]  # base.attr
CallExpr: TypeAlias = tuple[Literal["call"], "Expr"]  # func(...)
SubscriptExpr: TypeAlias = tuple[Literal["sub"], "Expr"]  # base[...]
DivideExpr: TypeAlias = tuple[Literal["div"], "Expr"]  # left / ... (``Path(root) / "name"``)
#: ``functools.partial(function, ...)``: calling it calls ``function``
PartialExpr: TypeAlias = tuple[Literal["partial"], "Expr"]
#: ``type[X]`` in an annotation: the class ``X`` itself (only as a ``Declared`` binding's type)
ClassOfExpr: TypeAlias = tuple[Literal["classof"], "Expr"]
#: ``Type(...)`` of a constructor the catalogue's ``BUILT_AS`` names, with its constant arguments
BuiltExpr: TypeAlias = tuple[Literal["built"], "Expr", tuple[Argument, ...]]
#: ``Type(first, ...)`` of a ``BUILT_ON`` constructor: (the constructor, its first argument)
BuiltOnExpr: TypeAlias = tuple[Literal["on"], "Expr", "Expr"]
NoneExpr: TypeAlias = tuple[Literal["none"]]  # the literal None (ignored when bindings are merged)
OtherExpr: TypeAlias = tuple[Literal["other"]]  # anything the resolver cannot use
#: ``name`` after ``name.setblocking(False)`` in the same scope (only as the base of an ``AttrExpr``)
NonblockingExpr: TypeAlias = tuple[Literal["nonblocking"], str]
#: a name where ``name.done()`` is true: a settled future when it is a ``concurrent.futures.Future``
SettledExpr: TypeAlias = tuple[Literal["settled"], "Expr"]
#: a value resolved earlier, in a summary (class bases, return annotations, deferred arguments)
Resolved: TypeAlias = tuple[Literal["val"], "Value | None"]
#: (function, class, fallback): an instance of ``class`` when ``function`` is ``isinstance`` (a name
#: where a test narrows it) or ``typing.cast``, else what ``fallback`` is (``narrowing.py``)
TypedExpr: TypeAlias = tuple[Literal["typed"], "Expr", "Expr", "Expr"]
#: (decorator, yielded type): a ``@contextmanager`` def's return annotation (``managers.py``)
ManagedExpr: TypeAlias = tuple[Literal["managed"], "Expr", "Expr"]
Expr: TypeAlias = (
    NameExpr | AttrExpr | CallExpr | SubscriptExpr | DivideExpr | PartialExpr | NoneExpr |
    OtherExpr | NonblockingExpr | Resolved | BuiltExpr | ClassOfExpr | TypedExpr | SettledExpr |
    ManagedExpr | BuiltOnExpr
)

NONE: NoneExpr = ("none",)
OTHER: OtherExpr = ("other",)

# -- call sites: what a recorded call calls (``index.CallSite.func``) -----------------------------
#: a call whose meaning depends on its first argument (``list(queryset)``, ``yaml.safe_load(fh)``)
ArgumentCall: TypeAlias = tuple[Literal["arg"], Expr, Expr]
#: a sync ``for`` or comprehension over a call's result, placed at that call's position
Iteration: TypeAlias = tuple[Literal["iterate"], Expr]
#: ``with manager:`` — a call of ``manager.__enter__()``, placed at the manager's position
Entering: TypeAlias = tuple[Literal["enter"], Expr]
#: reading (get), assigning (set) or deleting (del) an attribute: a property's accessor is a call
Access: TypeAlias = tuple[Literal["get", "set", "del"], AttrExpr]
CallFunc: TypeAlias = Expr | ArgumentCall | Iteration | Entering | Access

# -- values: what the resolver says an expression is ----------------------------------------------
Ref: TypeAlias = tuple[Literal["ref"], str]  # the expression *is* that module, function or class
Instance: TypeAlias = tuple[Literal["inst"], str]  # an instance of that type
Method: TypeAlias = tuple[Literal["meth"], str, str]  # (type, name): a method looked up on an instance
SuperProxy: TypeAlias = tuple[Literal["super"], str]  # ``super()`` in a method of that class
#: a value that depends on another module of the project: the main process finishes it
Deferred: TypeAlias = tuple[Literal["defer"], "Closed"]
Value: TypeAlias = Ref | Instance | Method | SuperProxy | Deferred

# -- closed expressions: the steps a worker could not take, replayed by ``project.GlobalProject`` ---
GlobalName: TypeAlias = tuple[Literal["g"], str]  # a module-level name of another project module
AttributeStep: TypeAlias = tuple[Literal["attr"], "Closed", str, bool]  # (base, name, called)
CallStep: TypeAlias = tuple[Literal["call"], "Closed"]
SpecialStep: TypeAlias = tuple[Literal["sub", "div"], "Closed"]  # ``base[...]``, ``base / ...``
TypeStep: TypeAlias = tuple[Literal["type"], "Closed"]  # an instance of the class it names
EnterStep: TypeAlias = tuple[Literal["enter", "aenter"], "Closed"]  # what entering it gives
#: (decorator, yielded class): the class of a ``@contextmanager`` helper's result (``managers.py``)
ManagedStep: TypeAlias = tuple[Literal["managed"], str, "Closed"]
Closed: TypeAlias = (
    GlobalName | Resolved | AttributeStep | CallStep | SpecialStep | TypeStep | EnterStep | ManagedStep
)

# -- call targets: what a call is matched against ------------------------------------------------
#: the key of a call of (plainkey), iteration over (iterkey) or ``with`` on (enterkey) a deferred value
#: (getkey, setkey, delkey): an access of attribute ``name`` on a deferred value, as ``("attr", value, name, False)``
KeyStep: TypeAlias = tuple[
    Literal["plainkey", "iterkey", "enterkey", "getkey", "setkey", "delkey"], Closed
]
#: a call that depends on its first argument, with the callee or the argument deferred
ArgumentKey: TypeAlias = tuple[Literal["argkey"], Resolved, Resolved]
DeferredTarget: TypeAlias = tuple[Literal["defer"], KeyStep | ArgumentKey]
#: a qualified name, a deferred target the main process finishes, or unknown
Target: TypeAlias = str | DeferredTarget | None

# -- bindings: what a name is bound to in a scope (``index.Scope.bindings``) ----------------------
Assigned: TypeAlias = tuple[Literal["value"], Expr, int]  # ``name = expr``, evaluated in that scope
Declared: TypeAlias = tuple[Literal["type"], Expr, int]  # ``name: expr``: an instance of what it names
#: ``with expr as name`` (enter) / ``async with`` (aenter): what entering the context manager gives
EnteredAs: TypeAlias = tuple[Literal["enter", "aenter"], Expr, int]
Receiver: TypeAlias = tuple[Literal["self", "cls"], str]  # a method's first parameter, and its class
UnknownBinding: TypeAlias = tuple[Literal["unknown"]]  # parameter, loop target, unpacking, except...
Summarised: TypeAlias = tuple[Literal["closed"], "Value | None"]  # resolved earlier, in a summary
#: ``Ref`` is an import, a def or a class: the name *is* that object
Binding: TypeAlias = Ref | Assigned | Declared | EnteredAs | Receiver | UnknownBinding | Summarised

UNKNOWN: UnknownBinding = ("unknown",)


def last_name(expr: Expr) -> str | None:
    """The name an expression ends with: ``f`` for ``f``, ``get`` for ``requests.get``."""
    match expr:
        case ("name", name) | ("attr", _, name):
            return name
    return None


def attribute_name(expr: CallFunc) -> str | None:
    """The attribute an expression reads last (``call_later`` in ``loop.call_later``)."""
    match expr:
        case ("attr", _, name):
            return name
    return None


def is_deferred(value: Value | None) -> TypeGuard[Deferred]:
    """A value that depends on another module of the project (see ``analysis/project.py``)."""
    match value:
        case ("defer", _):
            return True
    return False


def is_receiver(binding: Binding) -> bool:
    """The binding of a method's ``self``."""
    match binding:
        case ("self", _):
            return True
    return False
