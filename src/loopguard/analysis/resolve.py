"""Expression + scope -> qualified name or receiver type. The one resolver everything uses.

Values are small tagged tuples (their types are in ``values.py``):

* ``("ref", "requests.Session")`` — the expression *is* that module, function or class;
* ``("inst", "requests.Session")`` — an instance of that type;
* ``("meth", "requests.Session", "get")`` — a method looked up on such an instance;
* ``None`` — unknown. Unknown always means silent: a method is never matched by its name alone.

Why the rules are what they are:

* A name is looked up the way Python does: the current scope, then enclosing *function* scopes
  (class bodies are not visible from their methods), then the module, then builtins. A name bound
  anywhere in a function is local to all of it, so a parameter or local called ``time`` is never
  the ``time`` module, even above the assignment.
* When a scope binds a name more than once, the bindings must agree; ``x = None`` is ignored so the
  common ``self.session = None`` placeholder does not hide the real type. A declared annotation wins.
* Calling a ``ref`` gives an instance when the catalogue says what it returns (``boto3.client`` ->
  a client), when it is a project function with a return annotation (``def connect() ->
  sqlite3.Connection``, also methods of project classes), when it is a project class, or when its
  name is CapWords (the convention for classes); anything else gives unknown.
* An attribute that is *called* is a method: ``("meth", type, name)``. An attribute that is only
  read may have a type of its own, from the catalogue's ``ATTRIBUTES`` (``OpenAI.chat``,
  ``Model.objects``), or from a ``Type.*`` entry meaning "any attribute read off this type"
  (``client.mydb.users`` on a ``MongoClient``). Only reads use ``Type.*``, so ``coll.find_one()``
  stays a method while ``client.mydb`` is a database.
* A project class that subclasses a library class (``class Order(models.Model)``,
  ``class Api(requests.Session)``) answers what it does not define itself as that library class:
  ``order.save()`` is ``django.db.models.Model.save``. What the project class defines wins.
* Some calls depend on their first argument: iterating builtins (``list(queryset)``) are the
  argument's ``__iter__``/``__len__``; the catalogue's file readers (``yaml.safe_load``) only read
  when the argument is a known file object. A sync ``for`` over a call's result is its ``__iter__``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from typing import Literal, Protocol, TypeAlias, TypeVar, cast

from loopguard.analysis.index import ClassInfo, ModuleIndex
from loopguard.analysis.managers import entered_type, managed_type
from loopguard.analysis.narrowing import TYPE_ASSERTIONS
from loopguard.analysis.stars import BUILTIN_NAMES
from loopguard.analysis.values import (
    NONE,
    OTHER,
    Assigned,
    Binding,
    CallFunc,
    Expr,
    Instance,
    Ref,
    SuperProxy,
    Target,
    Value,
    is_deferred,
)
from loopguard.catalogue import (
    BUFFER_READERS,
    BUILT_AS,
    BUILT_ON,
    CONSUMERS,
    IN_MEMORY,
    NONBLOCKING_TYPE,
    SETTLED_WHEN_DONE,
)
from loopguard.models import Literal as Argument
from loopguard.models import built_type

#: ``kept_if_uncut``'s key and value
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

__all__ = ["Target", "Value", "is_deferred"]

#: what ``Resolver.call_target`` finds for a call not yet asked (no target is this object)
_UNASKED = cast(Target, object())
#: what ``Resolver.accessed_base`` finds for a base not yet resolved (no value is this object)
_UNRESOLVED = cast("Value | None", object())
#: ``Resolver.method_order`` of a class with a base in another module, in a worker
DEFERRED_ORDER = "deferred"
#: The bindings whose value follows no other name (``Resolver.merge``): an import, a def or a
#: class (``ref``), a method's receiver (``self``, ``cls``), a parameter without annotation
FOLLOWS_NOTHING = frozenset({"ref", "self", "cls", "unknown"})
#: The expressions of an assignment that name nothing to resolve: it binds no value (``Resolver.merge``)
NAMES_NOTHING: tuple[Expr, ...] = (OTHER, NONE)
#: ``super`` called, and the builtin it must be (``Resolver.resolve``)
SUPER = ("name", "super")
BUILTIN_SUPER = ("ref", "builtins.super")
#: ``-> Self``: the instance the method is called on
SELF_TYPES = frozenset({"typing.Self", "typing_extensions.Self"})
#: The deferred key of each kind of attribute access (``Resolver.access_target``)
ACCESS_KEYS: dict[str, Literal["getkey", "setkey", "delkey"]] = {"get": "getkey", "set": "setkey", "del": "delkey"}
ACCESS_KINDS: dict[str, Literal["get", "set", "del"]] = {"getkey": "get", "setkey": "set", "delkey": "del"}

#: Where a project class (or a project base) gets an attribute from (``Resolver.member``):
#: ("attribute", the resolver of the module that assigns it, its bindings) | ("method", defining
#: class) | ("library", the library base class that answers) | ("deferred",) when a base lives in
#: another module of the project.
Member: TypeAlias = (
    tuple[Literal["attribute"], "Resolver", Sequence[Binding]] | tuple[Literal["method"], str] |
    tuple[Literal["library"], str] | tuple[Literal["deferred"]]
)


class Project(Protocol):
    """What a resolver asks of the project around its module (``analysis/project.py`` answers; the
    resolver sits below it, so the project's module imports this one and never the other way)."""

    @property
    def returns(self) -> Mapping[str, str]: ...

    @property
    def aliases(self) -> Mapping[str, str]: ...

    @property
    def attributes(self) -> Mapping[str, str]: ...

    @property
    def file_readers(self) -> Collection[str]: ...

    @property
    def file_types(self) -> Collection[str]: ...

    def deref(self, value: Value | None, hops: int = 0) -> Value | None:
        """What a reference is; any other value is given back as it is (the resolver asks it
        only of references)."""
        ...

    def evaluate(self, value: Value | None) -> Value | None: ...

    def class_info(self, qualname: str) -> tuple[Resolver, ClassInfo] | None: ...

    def method_order(self, qualname: str) -> tuple[str, ...] | str | None: ...

    def function_return(self, qualname: str) -> Value | None: ...

    def star_name(self, module: str, name: str) -> Value | None: ...


#: How many bindings (``x2 = x1``, ``x1 = x0``...) or base classes resolution follows inside one
#: question; a longer chain is unknown. Expressions themselves are bounded by ``MAX_EXPR_DEPTH``, so
#: with this every resolution recurses a bounded number of frames, whatever the code.
MAX_CHAIN = 100


class Chain:
    """The bindings being followed, by every resolver of this process (a chain can cross modules,
    each with its own resolver; resolution is single-threaded). An instance, not attributes of
    ``Resolver``: assigning a class attribute invalidates the interpreter's caches of every
    attribute and method looked up on the class's instances, and every merge assigns these."""

    __slots__ = ("cuts", "deepest", "following")

    def __init__(self) -> None:
        self.following = 0  # bindings and bases being followed right now
        # the deepest ``following`` reached so far, and how many merges a cycle or MAX_CHAIN cut
        # short: what decides whether a merge's answer may be memoised (``Resolver.merge``)
        self.deepest = 0
        self.cuts = 0


CHAIN = Chain()


class Resolver:
    """Resolution inside one module; ``project`` follows names into the other modules."""

    def __init__(self, index: ModuleIndex, project: Project, memoise: bool = False) -> None:
        self.index = index
        self.project = project
        self.returns = project.returns
        self.aliases = project.aliases
        self.attributes = project.attributes
        # names being merged right now, each with the value assumed for it while its own bindings
        # are resolved (``p = p.resolve()``), and those whose bindings needed that assumption
        self._active: dict[tuple[str, int], Value | None] = {}
        self._cycled: set[tuple[str, int]] = set()
        self._bases: dict[tuple[Expr, int], Value | None] = {}  # see accessed_base
        # (name, scope) -> (merged value, how deep merging it went): see ``merge``
        self._merged: dict[tuple[str, int], tuple[Value | None, int]] | None = {} if memoise else None
        self._targets: dict[tuple[CallFunc, int], Target] | None = {} if memoise else None
        # class -> its method order, asked alone (``method_order``): a worker asks it for every
        # member looked up on an instance of a project class
        self._orders: dict[str, tuple[str, ...] | str | None] | None = {} if memoise else None
        self._members: dict[tuple[str, str], Member | None] | None = {} if memoise else None  # see member

    # -- public -----------------------------------------------------------------------------------
    def resolve(self, expr: Expr, scope: int) -> Value | None:
        match expr:
            case ("name", name):
                # ``lookup``'s first step in place, without its call: the scope asked binds 18,300
                # of the 31,700 names looked up for every 10th homeassistant file
                own = self.index.scopes[scope]
                if name in own.bindings and name not in own.global_names:
                    value = self.merge(name, scope, own.bindings[name])
                else:
                    value = self.lookup(name, scope)
                # only a reference is followed further (``Project.deref`` gives any other value
                # back as it is): no call for the others, most of the ~47,000 asked
                return self.project.deref(value) if value is not None and value[0] == "ref" else value
            case ("attr", base, name):
                value = self.attribute(self.resolve(base, scope), name)
                return self.project.deref(value) if value is not None and value[0] == "ref" else value
            case ("call", func):  # (``super()`` told apart here: one case less for every call)
                if func == SUPER and self.lookup("super", scope) == BUILTIN_SUPER:
                    owner = self.enclosing_class(scope)
                    return ("super", owner) if owner is not None else None
                return self.call_result(self.callee(func, scope))
            case ("built", func, literals):
                return self.built_result(self.callee(func, scope), literals)
            case ("on", func, argument):
                return self.built_on(self.callee(func, scope), self.resolve(argument, scope))
            case ("sub", base):
                return self.special_result(self.resolve(base, scope), "sub")
            case ("div", base):
                return self.special_result(self.resolve(base, scope), "div")
            case ("nonblocking", name):  # a name used after ``name.setblocking(False)`` in the same scope
                value = self.project.deref(self.lookup(name, scope))
                match value:
                    case ("inst", _):
                        return ("inst", NONBLOCKING_TYPE)
                return value
            case ("val", value):  # a value resolved earlier, in a summary
                return self.project.evaluate(value)
            case ("settled", inner):  # where ``inner.done()`` is true (narrowing.py)
                value = self.resolve(inner, scope)
                match value:
                    case ("inst", type_name) if type_name in SETTLED_WHEN_DONE:
                        return ("inst", SETTLED_WHEN_DONE[type_name])
                return value
            case ("managed", decorator, yielded):  # a @contextmanager def's return (managers.py)
                return managed_type(self.resolve(decorator, scope), self.resolve(yielded, scope))
            case ("typed", function, named, fallback):  # isinstance narrowing, typing.cast (narrowing.py)
                if self.resolve(function, scope) in TYPE_ASSERTIONS:
                    return self.instance_of_type(self.resolve(named, scope))
                return self.resolve(fallback, scope)
        return None

    def special_result(self, base: Value | None, kind: Literal["sub", "div"]) -> Value | None:
        """``base[...]`` (kind "sub") or ``base / ...`` (kind "div")."""
        match base:
            case ("defer", closed):
                return ("defer", (kind, closed))
            case ("inst", type_name):
                special = "__getitem__" if kind == "sub" else "__truediv__"
                return self.instance_of(self.returns.get(f"{type_name}.{special}"))
        return None

    def enclosing_class(self, scope: int) -> str | None:
        """The class whose method ``scope`` is in (for ``super()``)."""
        current: int | None = scope
        while current is not None:
            found = self.index.scopes[current].class_qualname
            if found is not None:
                return found
            current = self.index.scopes[current].parent
        return None

    def callee(self, func: Expr, scope: int) -> Value | None:
        """What a call's function expression is: a called attribute is a method, never a read."""
        match func:
            case ("attr", base, name):
                value = self.attribute(self.resolve(base, scope), name, called=True)
                return self.project.deref(value) if value is not None and value[0] == "ref" else value
            case ("partial", function):  # calling functools.partial(f, ...) calls f
                return self.resolve(function, scope)
        return self.resolve(func, scope)

    def call_target(self, func: CallFunc, scope: int) -> Target:
        """The qualified name the catalogue is matched against for a call of ``func`` — or, when it
        depends on another module of the project, a deferred value the main process finishes.

        With ``memoise``, kept per (call, scope) when asked outside any merge (as the summary does:
        a quarter of a module's calls repeat one in the same scope, ``self.hass.async_create_task``)."""
        memo = self._targets
        if memo is None or CHAIN.following:
            return self.target_of_call(func, scope)
        key = (func, scope)
        # one ``get`` (a target may be None: a sentinel tells a miss), not ``in`` and a subscript:
        # the key is a nested tuple, hashed anew at each lookup
        found = memo.get(key, _UNASKED)
        if found is _UNASKED:
            found = memo[key] = self.target_of_call(func, scope)
        return found

    def target_of_call(self, func: CallFunc, scope: int) -> Target:
        # the commonest first (a ``match`` tries each case in turn: a method's or a function's
        # call, then an access), each shape apart by its tag
        match func:
            case ("attr", base, name):  # ``callee`` of each, in place (without its call and ``match``)
                value = self.attribute(self.resolve(base, scope), name, called=True)
                return self.plain_target(self.project.deref(value) if value is not None and value[0] == "ref" else value)
            case ("name", _):
                return self.plain_target(self.resolve(func, scope))
            case (("get" | "set" | "del") as kind, ("attr", base, name)):
                return self.access_target(kind, self.accessed_base(base, scope), name)
            case ("arg", function, argument):
                return self.argument_call_target(function, argument, scope)
            case ("iterate", iterable):
                return self.iteration_target(self.resolve(iterable, scope))
            case ("enter", manager):
                return self.entering_target(self.resolve(manager, scope))
            case _:
                return self.plain_target(self.callee(func, scope))

    def plain_target(self, callee: Value | None) -> Target:
        match callee:  # (``is_deferred``, without its call)
            case ("defer", closed):
                return ("defer", ("plainkey", closed))
        key = callable_key(callee)
        return None if key in self.project.file_readers else key  # no argument to judge

    def iteration_target(self, iterated: Value | None) -> Target:
        match iterated:
            case ("defer", closed):
                return ("defer", ("iterkey", closed))
            case ("inst", type_name):
                return f"{type_name}.__iter__"
        return None

    def entering_target(self, manager: Value | None) -> Target:
        """``with manager:`` calls ``type(manager).__enter__``."""
        match manager:
            case ("defer", closed):
                return ("defer", ("enterkey", closed))
            case ("inst", type_name):
                return f"{type_name}.__enter__"
        return None

    def access_target(self, kind: Literal["get", "set", "del"], base: Value | None, name: str) -> Target:
        """Reading, assigning or deleting ``base.name``: ``Cls.name:get`` (``:set``, ``:del``) when
        ``base`` is an instance of a project class whose ``name`` is a property (defined in ``Cls``,
        the first class of its MRO to define ``name``); anything else is no call."""
        match base:
            case ("inst", type_name):
                match self.member(type_name, name):
                    case ("deferred",):
                        return ("defer", (ACCESS_KEYS[kind], ("attr", ("val", base), name, False)))
                    case ("method", defining) if self.is_property(defining, name):
                        return f"{defining}.{name}:{kind}"
            case ("defer", closed):
                return ("defer", (ACCESS_KEYS[kind], ("attr", closed, name, False)))
        return None

    def accessed_base(self, base: Expr, scope: int) -> Value | None:
        """What an accessed attribute is read off, memoised per (expression, scope): a function
        reads attributes of ``self`` and of a few names many times, and accesses outnumber calls."""
        key = (base, scope)
        # one ``get`` (a base may resolve to None: a sentinel tells a miss), not ``in`` and a
        # subscript: the key is a nested tuple, hashed anew at each lookup (as ``call_target``)
        found = self._bases.get(key, _UNRESOLVED)
        if found is _UNRESOLVED:
            found = self._bases[key] = self.resolve(base, scope)
        return found

    def is_property(self, class_qualname: str, name: str) -> bool:
        found = self.project.class_info(class_qualname)
        return found is not None and name in found[1].properties

    def argument_call_target(self, func: Expr, argument: Expr, scope: int) -> Target:
        callee = self.callee(func, scope)
        if is_deferred(callee):
            return ("defer", ("argkey", ("val", callee), ("val", self.resolve(argument, scope))))
        key = callable_key(callee)
        if key in CONSUMERS or key in self.project.file_readers or key in BUFFER_READERS:
            return self.argument_target(callee, self.resolve(argument, scope))
        return key

    def argument_target(self, callee: Value | None, argument: Value | None) -> Target:
        """A call whose meaning depends on its first argument: ``list(queryset)``, ``yaml.load(fh)``."""
        if is_deferred(argument):
            return ("defer", ("argkey", ("val", callee), ("val", argument)))
        key = callable_key(callee)
        if key is None:
            return None
        special = CONSUMERS.get(key)
        if special is not None:
            match argument:
                case ("inst", consumed):
                    return f"{consumed}.{special}"
            return key
        if key in self.project.file_readers:
            match argument:
                case ("inst", read) if read in self.project.file_types:
                    return key
            return None
        match argument:
            case ("inst", buffer) if buffer in BUFFER_READERS.get(key, ()):
                return None  # ``Image.open(io.BytesIO(data))``: reads memory, not a file
        return key

    def canonical(self, qualname: str) -> str:
        return self.aliases.get(qualname, qualname)

    # -- names ------------------------------------------------------------------------------------
    def lookup(self, name: str, scope_id: int) -> Value | None:
        scopes = self.index.scopes
        current: int | None = scope_id
        first = True
        while current is not None:
            scope = scopes[current]
            if name in scope.global_names:
                current = 0
                scope = scopes[0]
            if (first or scope.kind != "class") and name in scope.bindings:
                return self.merge(name, current, scope.bindings[name])
            first = False
            current = scope.parent
        if name in BUILTIN_NAMES:
            return ("ref", f"builtins.{name}")
        if self.index.star_imports:  # ``from other import *`` may bind it (stars.py)
            return self.project.star_name(self.index.module, name)
        return None

    def merge(self, name: str, scope: int, bindings: Sequence[Binding]) -> Value | None:
        """What a name bound by ``bindings`` in ``scope`` is (a module's ``_LOGGER`` or ``hass`` is
        asked for hundreds of times: with ``memoise``, the answer is kept — when no cycle and no
        ``MAX_CHAIN`` bound cut its merging short, as the same merge asked again from here could
        meet the cycle from another side — and reused when asking it again would stay within
        ``MAX_CHAIN`` from here too, so the answers are the same as without it)."""
        if len(bindings) == 1:
            binding = bindings[0]
            tag = binding[0]
            if tag in FOLLOWS_NOTHING or (tag == "value" and cast(Assigned, binding)[1] in NAMES_NOTHING):
                # a binding that follows nothing (an import, a def or class, a method's receiver, a
                # parameter without annotation, ``= None`` or any value the IR cannot name): its
                # value at once, without the memo or the chain's bookkeeping — with what they
                # would leave, the chain one deeper or cut at the bound (12,300 of the 18,900
                # merges worked out for every 10th homeassistant file)
                following = CHAIN.following
                if following >= MAX_CHAIN:
                    CHAIN.cuts += 1
                    return None
                if following >= CHAIN.deepest:
                    CHAIN.deepest = following + 1
                match binding:  # ``binding_value`` of the commonest in place, without its call
                    case ("ref", qualname):  # an import, a def or a class (11,400 of these merges)
                        return ("ref", self.aliases.get(qualname, qualname))
                    case ("self", owner):  # a method's receiver (7,400)
                        return ("inst", owner)
                return None if tag == "value" else self.binding_value(binding)
        key = (name, scope)
        memo = self._merged
        found = memo.get(key) if memo is not None else None
        if found is not None:  # most names merge once: the memoised merge, when asking it again
            # from here would not go past ``MAX_CHAIN`` either
            value, depth = found
            reach = CHAIN.following + depth
            if reach <= MAX_CHAIN:
                if reach > CHAIN.deepest:  # noqa: PLR1730 - ``max`` is a call, for each of ~35,000 merges asked
                    CHAIN.deepest = reach
                return value
        if key in self._active:  # x = x.child: resolving x needs x
            CHAIN.cuts += 1
            self._cycled.add(key)
            return self._active[key]
        if CHAIN.following >= MAX_CHAIN:
            CHAIN.cuts += 1
            return None
        start, cuts, outer_deepest = CHAIN.following, CHAIN.cuts, CHAIN.deepest
        self._active[key] = None
        CHAIN.following += 1
        CHAIN.deepest = CHAIN.following
        try:
            # one binding here is neither unknown nor ``= None`` (answered above): what it binds,
            # without ``merge_bindings`` and ``only_binding`` around it (most names merged here)
            merged = self.binding_value(bindings[0]) if len(bindings) == 1 else self.merge_bindings(bindings)
            if merged is None and key in self._cycled:
                merged = self.merge_through_itself(key, bindings)
        finally:
            CHAIN.following -= 1
            del self._active[key]
            self._cycled.discard(key)
            depth = CHAIN.deepest - start
            if outer_deepest > CHAIN.deepest:  # noqa: PLR1730 - as above
                CHAIN.deepest = outer_deepest
        if self._merged is not None and CHAIN.cuts == cuts:
            self._merged[key] = (merged, depth)
        return merged

    def merge_through_itself(self, key: tuple[str, int], bindings: Sequence[Binding]) -> Value | None:
        """A name some of whose bindings are computed from itself (``p = Path(s)`` then
        ``p = p.resolve()``): the value the other bindings agree on, when the self-referring ones,
        resolved with the name holding that value, give it too. Anything else stays unknown."""
        independent: list[Value | None] = []
        dependent: list[Binding] = []
        for binding in bindings:
            match binding:
                case ("value", ("none",), _):
                    continue
                case ("value", _, _):
                    self._cycled.discard(key)
                    value = self.binding_value(binding)
                    if key in self._cycled:
                        dependent.append(binding)
                    else:
                        independent.append(value)
                case _:  # declared types and unknown bindings are decided by merge_bindings alone
                    return None
        if not independent or not dependent or any(v != independent[0] for v in independent):
            return None
        assumed = independent[0]
        if assumed is None:
            return None
        self._active[key] = assumed
        if all(self.binding_value(binding) == assumed for binding in dependent):
            return assumed
        return None

    def merge_bindings(self, bindings: Sequence[Binding]) -> Value | None:
        if len(bindings) == 1:  # most names: nothing to agree on, no list to gather
            return self.only_binding(bindings[0])
        declared: list[Binding] = []
        for binding in bindings:
            match binding:
                case ("type", _, _):
                    declared.append(binding)
        if declared:  # a declared type wins — when every declaration agrees (``c: int = 4`` rebinds)
            types = [self.binding_value(b) for b in declared]
            return types[0] if all(t == types[0] for t in types) else None
        values: list[Value | None] = []
        for binding in bindings:
            match binding:
                case ("value", ("none",), _):
                    continue
                case ("unknown",):
                    return None
            values.append(self.binding_value(binding))
        if not values:
            return None
        return values[0] if all(v == values[0] for v in values) else built_alike(values)

    def only_binding(self, binding: Binding) -> Value | None:
        """``merge_bindings`` of one binding: what it is (a declared type wins over nothing, an
        ``= None`` is ignored and leaves nothing, an unknown one is unknown)."""
        match binding:
            case ("value", ("none",), _) | ("unknown",):
                return None
        return self.binding_value(binding)

    def binding_value(self, binding: Binding) -> Value | None:
        match binding:  # (the commonest first: an assignment)
            case ("value", expr, scope):
                return self.resolve(expr, scope)
            case ("ref", qualname):
                return ("ref", self.aliases.get(qualname, qualname))  # (``canonical``)
            case ("type", ("classof", expr), scope):  # ``x: type[X]``: x is the class X
                return self.class_of_type(self.resolve(expr, scope))
            case ("type", expr, scope):
                return self.instance_of_type(self.resolve(expr, scope))
            case (("enter" | "aenter") as kind, expr, scope):
                return self.entered(self.resolve(expr, scope), kind)
            case ("self", owner):
                return ("inst", owner)
            case ("closed", value):  # resolved earlier, in a summary
                return self.project.evaluate(value)
            case ("cls", owner):
                return ("ref", owner)
        return None

    def instance_of_type(self, target: Value | None) -> Value | None:
        """What an annotation declares: an instance of the class it names."""
        match target:
            case ("defer", closed):
                return ("defer", ("type", closed))
            case ("ref", qualname):
                return ("inst", qualname)
        return None

    def class_of_type(self, target: Value | None) -> Value | None:
        """What ``type[X]`` declares: the class ``X`` itself (a deferred one stays deferred)."""
        match target:
            case ("ref", _) | ("defer", _):
                return target
        return None

    def entered(self, manager: Value | None, kind: Literal["enter", "aenter"]) -> Value | None:
        """``with manager as x`` (kind "enter") or ``async with`` (kind "aenter"): what ``x`` is."""
        match manager:
            case ("defer", closed):
                return ("defer", (kind, closed))
            case ("inst", type_name):
                yielded = entered_type(type_name, kind)
                if yielded is not None:
                    return ("inst", yielded) if yielded else None
                method = "__enter__" if kind == "enter" else "__aenter__"
                entered = self.returns.get(f"{type_name}.{method}")
                return self.instance_of(entered) if entered else self.project_entered(manager, kind)
        return None

    def project_entered(self, manager: Instance, kind: Literal["enter", "aenter"]) -> Value | None:
        """Entering an instance of a project class: what its ``__enter__`` (``__aenter__``) return
        annotation declares; the manager itself when it declares ``Self``, the class that defines
        the method (the manager may be of a subclass: more precise), or nothing usable, and for a
        type the project does not define (the usual ``return self``)."""
        method = "__enter__" if kind == "enter" else "__aenter__"
        match self.member(manager[1], method):
            case ("deferred",):  # a base class lives in another module of the project
                return ("defer", (kind, ("val", manager)))
            case ("method", defining):
                declared = self.project.function_return(f"{defining}.{method}")
                match declared:
                    case ("inst", type_name) if type_name not in SELF_TYPES and type_name != defining:
                        return declared
                    case ("defer", _):
                        return declared
        return manager

    # -- attributes and calls ---------------------------------------------------------------------
    def attribute(self, base: Value | None, name: str, called: bool = False) -> Value | None:
        if base is None:  # (unknown: no case to try)
            return None
        match base:  # (the commonest first)
            case ("inst", qualname):
                return self.member_value(base, qualname, name, called, of_class=False)
            case ("ref", qualname):
                return self.member_value(base, qualname, name, called, of_class=True)
            case ("defer", closed):
                return ("defer", ("attr", closed, name, called))
            case ("super", _):
                return self.super_attribute(base, name, called)
        return None  # a method (``f.get.x``)

    def member_value(
        self, base: Ref | Instance, qualname: str, name: str, called: bool, of_class: bool
    ) -> Value | None:
        """``name`` read off a class (``of_class``, a ``Ref``) or an instance of ``qualname``: what
        the project class defines, else what the catalogue knows about the type."""
        found = self.member(qualname, name)
        if found is not None:  # (none: most library types' members, no case to try)
            match found:
                case ("deferred",):  # a base class lives in another module of the project
                    return ("defer", ("attr", ("val", base), name, called))
                case ("attribute", owner, bindings):
                    return owner.merge(f"{qualname}.{name}", -1, bindings)
                case ("method", defining) if not of_class and not called and self.is_property(defining, name):
                    return self.project.function_return(f"{defining}.{name}")  # the getter's return type
                case ("method", defining):
                    return ("ref", f"{defining}.{name}") if of_class else ("meth", defining, name)
                case ("library", library_base):
                    qualname = library_base  # a project class answers for a library base class
        if of_class:
            full = self.canonical(f"{qualname}.{name}")
            typed = self.attributes.get(full)
            return ("inst", typed) if typed is not None else ("ref", full)
        typed = self.attributes.get(f"{qualname}.{name}")
        if typed is not None:
            return ("inst", typed)
        if not called:
            read = self.attributes.get(f"{qualname}.*")
            if read is not None:
                return ("inst", read)
        return ("meth", qualname, name)

    def super_attribute(self, base: SuperProxy, name: str, called: bool) -> Value | None:
        """``super().name`` in a method of ``base[1]``: looked up in the classes after it in its
        MRO (C3), as Python does for an instance of that class — in ``class C(A, B)`` with ``A``
        and ``B`` both deriving from ``Base``, ``B``'s method comes before ``Base``'s. The first
        class that defines ``name`` (or a library class, whose members are the catalogue's) answers."""
        found = self.project.class_info(base[1])
        if found is None:
            return None
        order = self.project.method_order(base[1])
        if order == DEFERRED_ORDER:
            return ("defer", ("attr", ("val", base), name, called))
        for later in order or ():
            inherited = self.project.class_info(later)
            if inherited is None or own_member(later, inherited, name) is not None:
                return self.attribute(("inst", later), name, called)
        return None

    def member(self, qualname: str, name: str) -> Member | None:
        """Where a project class (or the classes of its MRO) gets ``name`` from (see ``Member``;
        the resolver of an attribute is that of the module that assigns it: binding scopes are
        that module's). None for no project class or no answer. The MRO is Python's (C3,
        ``method_order``): in ``class C(A, B)`` with ``A`` and ``B`` both deriving from ``Base``,
        ``B``'s method comes before ``Base``'s.

        With ``memoise``, kept per (class, name) when asked alone and no cycle or ``MAX_CHAIN``
        bound cut the class's order short (``method_order``'s rule): every method of a class
        reads ``self.hass`` and the like (9,000 of 15,000 askings repeat one, every 10th
        homeassistant file). ``Project.forget_resolvers`` empties it: an attribute's answer
        holds its resolver."""
        memo = self._members
        if memo is None or CHAIN.following:
            return self.member_of(qualname, name)
        key = (qualname, name)
        if key in memo:
            return memo[key]
        return kept_if_uncut(memo, key, self.member_of, qualname, name)

    def forget_members(self) -> None:
        if self._members is not None:
            self._members.clear()

    def member_of(self, qualname: str, name: str) -> Member | None:
        """``member``, worked out."""
        found = self.project.class_info(qualname)
        if found is None:
            return None
        own = own_member(qualname, found, name)
        if own is not None:
            return own
        order = self.project.method_order(qualname)
        if order == DEFERRED_ORDER:
            return ("deferred",)
        for later in order or ():
            inherited = self.project.class_info(later)
            if inherited is None:
                return ("library", later)  # its own members are the catalogue's
            own = own_member(later, inherited, name)
            if own is not None:
                return own
        return None

    def method_order(self, qualname: str, following: set[str]) -> tuple[str, ...] | str | None:
        """The classes after ``qualname`` in its MRO (C3 linearization) — project classes, and
        library classes as ends whose own bases are not known — ``DEFERRED_ORDER`` when a base is in
        another module a worker cannot see, None when there is no consistent order (or a cycle).

        With ``memoise``, an order asked alone (no class being followed, outside any merge) is
        kept when no cycle and no ``MAX_CHAIN`` bound cut resolving the bases short: asked alone
        again, it would be worked out the same way (``merge`` keeps its answers on that rule)."""
        memo = self._orders
        if memo is None or following or CHAIN.following:
            return self.order_of(qualname, following)
        if qualname in memo:
            return memo[qualname]
        return kept_if_uncut(memo, qualname, self.order_of, qualname, following)

    def order_of(self, qualname: str, following: set[str]) -> tuple[str, ...] | str | None:
        """``method_order``, worked out."""
        found = self.project.class_info(qualname)
        if found is None:
            return ()
        if qualname in following or len(following) >= MAX_CHAIN:
            return None
        owner, info = found
        bases: list[str] = []
        for expression in info.bases:
            match owner.resolve(expression, info.scope):
                case ("defer", _):
                    return DEFERRED_ORDER
                case ("ref", base_class) if base_class not in bases and base_class != "builtins.object":
                    bases.append(base_class)  # ``object`` ends every order: written or not
        orders: list[list[str]] = [list(bases)]
        following.add(qualname)
        try:
            for base in bases:  # each base's order: its own bases resolved in its own module
                order = self.method_order(base, following)
                if order is None or order == DEFERRED_ORDER:
                    return order
                orders.append([base, *order])
        finally:
            following.discard(qualname)
        return c3_merge(orders)

    def call_result(self, func: Value | None) -> Value | None:
        if func is None:
            return None
        if is_deferred(func):
            return ("defer", ("call", func[1]))
        key = callable_key(func)
        returned = self.returns.get(key) if key else None
        if returned is not None:
            return self.instance_of(returned)
        match func:
            case ("ref", qualname):
                annotated = self.project.function_return(qualname)
                if annotated is not None:
                    return annotated
                if self.project.class_info(qualname) is not None or is_class_name(qualname):
                    return ("inst", qualname)
            case ("meth", owner, name):
                match self.member(owner, name):
                    case ("deferred",):
                        return ("defer", ("call", ("val", func)))
                    case ("method", defining):
                        return self.project.function_return(f"{defining}.{name}")
        return None

    def built_result(self, constructor: Value | None, literals: tuple[Argument, ...]) -> Value | None:
        """``Type(...)`` given constant ``literals``: an instance of the type the catalogue says
        those arguments build (``BUILT_AS``: ``queue.Queue()`` never fills), else of ``Type``."""
        result = self.call_result(constructor)
        condition = BUILT_AS.get(callable_key(constructor) or "")
        if condition is not None and condition.holds(literals):
            match result:
                case ("inst", _):
                    return ("inst", condition.variant)
        return result

    def built_on(self, constructor: Value | None, argument: Value | None) -> Value | None:
        """``Type(first, ...)``: an instance of ``Type[in memory]`` when the catalogue says that
        ``Type`` built on ``first``'s type keeps its data in memory (``BUILT_ON``), else what the
        call gives. A ``first`` not known here (another module's) is not a buffer."""
        key = callable_key(constructor) or ""
        match argument:
            case ("inst", buffer) if buffer in BUILT_ON.get(key, ()):
                return ("inst", f"{key}{IN_MEMORY}")
        return self.call_result(constructor)

    def instance_of(self, qualname: str | None) -> Value | None:
        return ("inst", self.canonical(qualname)) if qualname else None


def kept_if_uncut(memo: dict[K, V], key: K, compute: Callable[..., V], *arguments: object) -> V:
    """``compute(*arguments)``, kept in ``memo`` under ``key`` when no cycle and no ``MAX_CHAIN``
    bound cut it short (``CHAIN.cuts`` unchanged): asked alone again, it would be worked out the
    same way (``method_order``'s and ``member``'s rule; ``merge`` keeps its answers on it too).
    The caller has looked ``key`` up already: a hit costs no call."""
    cuts = CHAIN.cuts
    found = compute(*arguments)
    if CHAIN.cuts == cuts:
        memo[key] = found
    return found


def own_member(qualname: str, found: tuple[Resolver, ClassInfo], name: str) -> Member | None:
    """Where a class's own body defines ``name``: a method, or an attribute with its bindings and
    the resolver of the module that assigns them."""
    owner, info = found
    if name in info.methods:
        return ("method", qualname)
    if name in info.attributes:
        return ("attribute", owner, info.attributes[name])
    return None


def c3_merge(orders: list[list[str]]) -> tuple[str, ...] | None:
    """The C3 merge of the bases' orders (and the bases' own order): each step takes the first
    head that is in no other order's tail; None when none is (an inconsistent hierarchy)."""
    merged: list[str] = []
    orders = [order for order in orders if order]
    while orders:
        for order in orders:
            head = order[0]
            if not in_a_tail(head, orders):
                break
        else:
            return None
        merged.append(head)
        remaining = []  # (loops, not generators: planning merges ~13,000 times on homeassistant)
        for order in orders:
            rest = order[1:] if order[0] == head else order
            if rest:
                remaining.append(rest)
        orders = remaining
    return tuple(merged)


def in_a_tail(head: str, orders: list[list[str]]) -> bool:
    for other in orders:
        if head in other[1:]:
            return True
    return False


def built_alike(values: list[Value | None]) -> Value | None:
    """Instances of one type, some built a particular way (``queue.Queue()`` and
    ``queue.Queue(maxsize=5)``: catalogue ``BUILT_AS``): an instance of the type itself."""
    types: set[str] = set()
    for value in values:
        match value:
            case ("inst", type_name):
                types.add(built_type(type_name))
            case _:
                return None
    return ("inst", types.pop()) if len(types) == 1 else None


def callable_key(value: Value | None) -> str | None:
    if value is None:
        return None
    match value:
        case ("ref", qualname):
            return qualname
        case ("meth", owner, name):
            return f"{owner}.{name}"
        case ("inst", qualname) | ("super", qualname):
            return f"{qualname}.__call__"
    return None  # unknown, or deferred


def is_class_name(qualname: str) -> bool:
    """CapWords last component (``Session``), not a CONSTANT."""
    last = qualname.rpartition(".")[2]
    return last[:1].isupper() and not last.isupper()
