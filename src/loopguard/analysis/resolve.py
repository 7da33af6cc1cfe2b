"""Expression + scope -> qualified name or receiver type. The one resolver everything uses.

Values are small tuples:

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

import builtins
from collections.abc import Collection, Mapping
from typing import Any, Protocol, TypeGuard, cast

from loopguard.analysis.index import NONE, Binding, ClassInfo, Expr, ModuleIndex
from loopguard.catalogue import CONSUMERS, NONBLOCKING_TYPE

# ("ref", qualname) | ("inst", type) | ("meth", type, name) | ("defer", closed expression)
Value = tuple[Any, ...]
# what a call resolves to for matching: a qualified name, a deferred value, or unknown
Target = str | Value | None

BUILTIN_NAMES = frozenset(dir(builtins))


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

    def deref(self, value: Value | None, hops: int = 0) -> Value | None: ...

    def evaluate(self, value: Value | None) -> Value | None: ...

    def class_info(self, qualname: str) -> tuple[Resolver, ClassInfo] | None: ...

    def function_return(self, qualname: str) -> Value | None: ...


#: How many bindings (``x2 = x1``, ``x1 = x0``...) or base classes resolution follows inside one
#: question; a longer chain is unknown. Expressions themselves are bounded by ``MAX_EXPR_DEPTH``, so
#: with this every resolution recurses a bounded number of frames, whatever the code.
MAX_CHAIN = 100


class Resolver:
    """Resolution inside one module; ``project`` follows names into the other modules."""

    # bindings and bases being followed right now, by every resolver of this process (a chain can
    # cross modules, each with its own resolver); resolution is single-threaded
    following = 0

    def __init__(self, index: ModuleIndex, project: Project) -> None:
        self.index = index
        self.project = project
        self.returns = project.returns
        self.aliases = project.aliases
        self.attributes = project.attributes
        self._active: set[tuple[str, int]] = set()

    # -- public -----------------------------------------------------------------------------------
    def resolve(self, expr: Expr, scope: int) -> Value | None:
        kind = expr[0]
        if kind == "name":
            return self.project.deref(self.lookup(str(expr[1]), scope))
        if kind == "attr":
            base = self.resolve(expr[1], scope)  # type: ignore[arg-type]
            return self.project.deref(self.attribute(base, str(expr[2])))
        if kind == "call":
            if expr[1] == ("name", "super") and self.lookup("super", scope) == ("ref", "builtins.super"):
                owner = self.enclosing_class(scope)
                return ("super", owner) if owner is not None else None
            return self.call_result(self.callee(expr[1], scope))  # type: ignore[arg-type]
        if kind in ("sub", "div"):
            return self.special_result(self.resolve(expr[1], scope), kind)  # type: ignore[arg-type]
        if kind == "nonblocking":  # a name used after ``name.setblocking(False)`` in the same scope
            value = self.project.deref(self.lookup(str(expr[1]), scope))
            return ("inst", NONBLOCKING_TYPE) if value is not None and value[0] == "inst" else value
        if kind == "val":  # a value resolved earlier, in a summary
            return self.project.evaluate(expr[1])  # type: ignore[arg-type]
        return None

    def special_result(self, base: Value | None, kind: str) -> Value | None:
        """``base[...]`` (kind "sub") or ``base / ...`` (kind "div")."""
        if is_deferred(base):
            return defer(kind, base)
        if base is not None and base[0] == "inst":
            special = "__getitem__" if kind == "sub" else "__truediv__"
            return self.instance_of(self.returns.get(f"{base[1]}.{special}"))
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
        if func[0] == "partial":  # calling functools.partial(f, ...) calls f
            return self.resolve(func[1], scope)  # type: ignore[arg-type]
        if func[0] == "attr":
            base = self.resolve(func[1], scope)  # type: ignore[arg-type]
            return self.project.deref(self.attribute(base, str(func[2]), called=True))
        return self.resolve(func, scope)

    def call_target(self, func: Expr, scope: int) -> Target:
        """The qualified name the catalogue is matched against for a call of ``func`` — or, when it
        depends on another module of the project, a deferred value the main process finishes."""
        kind = func[0]
        if kind == "arg":
            return self.argument_call_target(func[1], func[2], scope)  # type: ignore[arg-type]
        if kind == "iterate":
            return self.iteration_target(self.resolve(func[1], scope))  # type: ignore[arg-type]
        if kind == "enter":
            return self.entering_target(self.resolve(func[1], scope))  # type: ignore[arg-type]
        return self.plain_target(self.callee(func, scope))

    def plain_target(self, callee: Value | None) -> Target:
        if is_deferred(callee):
            return defer("plainkey", callee)
        key = callable_key(callee)
        return None if key in self.project.file_readers else key  # no argument to judge

    def iteration_target(self, iterated: Value | None) -> Target:
        if is_deferred(iterated):
            return defer("iterkey", iterated)
        return f"{iterated[1]}.__iter__" if iterated is not None and iterated[0] == "inst" else None

    def entering_target(self, manager: Value | None) -> Target:
        """``with manager:`` calls ``type(manager).__enter__``."""
        if is_deferred(manager):
            return defer("enterkey", manager)
        return f"{manager[1]}.__enter__" if manager is not None and manager[0] == "inst" else None

    def argument_call_target(self, func: Expr, argument: Expr, scope: int) -> Target:
        callee = self.callee(func, scope)
        if is_deferred(callee):
            return ("defer", ("argkey", ("val", callee), ("val", self.resolve(argument, scope))))
        key = callable_key(callee)
        if key in CONSUMERS or key in self.project.file_readers:
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
            consumed = argument
            return f"{consumed[1]}.{special}" if consumed is not None and consumed[0] == "inst" else key
        if key in self.project.file_readers:
            read = argument
            is_file = read is not None and read[0] == "inst" and read[1] in self.project.file_types
            return key if is_file else None
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
        return None

    def merge(self, name: str, scope: int, bindings: list[Binding]) -> Value | None:
        key = (name, scope)
        if key in self._active or Resolver.following >= MAX_CHAIN:  # x = x.child: resolving x needs x
            return None
        self._active.add(key)
        Resolver.following += 1
        try:
            return self.merge_bindings(bindings)
        finally:
            Resolver.following -= 1
            self._active.discard(key)

    def merge_bindings(self, bindings: list[Binding]) -> Value | None:
        declared = [b for b in bindings if b[0] == "type"]
        if declared:  # a declared type wins — when every declaration agrees (``c: int = 4`` rebinds)
            types = [self.binding_value(b) for b in declared]
            return types[0] if all(t == types[0] for t in types) else None
        values: list[Value | None] = []
        for binding in bindings:
            if binding[0] == "value" and binding[1] == NONE:
                continue
            if binding[0] == "unknown":
                return None
            values.append(self.binding_value(binding))
        if not values or any(v != values[0] for v in values):
            return None
        return values[0]

    def binding_value(self, binding: Binding) -> Value | None:
        kind = binding[0]
        if kind == "ref":
            return ("ref", self.canonical(str(binding[1])))
        if kind == "value":
            return self.resolve(binding[1], binding[2])  # type: ignore[arg-type]
        if kind == "type":
            return self.instance_of_type(self.resolve(binding[1], binding[2]))  # type: ignore[arg-type]
        if kind in ("enter", "aenter"):
            return self.entered(self.resolve(binding[1], binding[2]), kind)  # type: ignore[arg-type]
        if kind == "closed":  # resolved earlier, in a summary
            return self.project.evaluate(binding[1])  # type: ignore[arg-type]
        if kind == "self":
            return ("inst", str(binding[1]))
        if kind == "cls":
            return ("ref", str(binding[1]))
        return None

    def instance_of_type(self, target: Value | None) -> Value | None:
        """What an annotation declares: an instance of the class it names."""
        if is_deferred(target):
            return defer("type", target)
        return ("inst", target[1]) if target is not None and target[0] == "ref" else None

    def entered(self, manager: Value | None, kind: str) -> Value | None:
        """``with manager as x`` (kind "enter") or ``async with`` (kind "aenter"): what ``x`` is."""
        if is_deferred(manager):
            return defer(kind, manager)
        if manager is None or manager[0] != "inst":
            return None
        method = "__enter__" if kind == "enter" else "__aenter__"
        entered = self.returns.get(f"{manager[1]}.{method}")
        return self.instance_of(entered) if entered else manager

    # -- attributes and calls ---------------------------------------------------------------------
    def attribute(self, base: Value | None, name: str, called: bool = False) -> Value | None:
        if is_deferred(base):
            return ("defer", ("attr", base[1], name, called))
        if base is None or base[0] == "meth":
            return None
        if base[0] == "super":
            return self.super_attribute(base, name, called)
        qualname = base[1]
        member = self.member(qualname, name, set())
        if member is not None:
            if member[0] == "deferred":  # a base class lives in another module of the project
                return ("defer", ("attr", ("val", base), name, called))
            if member[0] == "attribute":
                owner, bindings = cast(Resolver, member[1]), cast("list[Binding]", member[2])
                return owner.merge(f"{qualname}.{name}", -1, bindings)
            if member[0] == "method":
                return ("ref", f"{member[1]}.{name}") if base[0] == "ref" else ("meth", member[1], name)
            qualname = str(member[1])  # a project class answers for a library base class
        if base[0] == "ref":
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

    def super_attribute(self, base: Value, name: str, called: bool) -> Value | None:
        """``super().name`` in a method of ``base[1]``: looked up in its bases, in order."""
        found = self.project.class_info(base[1])
        if found is None:
            return None
        owner, info = found
        for expression in info.bases:
            value = owner.resolve(expression, info.scope)
            if is_deferred(value):
                return ("defer", ("attr", ("val", base), name, called))
            if value is not None and value[0] == "ref":
                answer = self.attribute(("inst", value[1]), name, called)
                if answer is not None:
                    return answer
        return None

    def member(self, qualname: str, name: str, seen: set[str]) -> tuple[object, ...] | None:
        """Where a project class (or its project bases, in MRO order) gets ``name`` from:
        ``("attribute", resolver, bindings)`` (with the resolver of the module that assigns it:
        binding scopes are that module's), ``("method", defining class)``, or ``("library", base)``
        when a library base class is first to answer. None for no project class or no answer."""
        found = self.project.class_info(qualname)
        if found is None or qualname in seen or len(seen) >= MAX_CHAIN:
            return None
        owner, info = found
        seen.add(qualname)
        if name in info.methods:
            return ("method", qualname)
        if name in info.attributes:
            return ("attribute", owner, info.attributes[name])
        for base in info.bases:
            value = owner.resolve(base, info.scope)
            if is_deferred(value):
                return ("deferred",)
            if value is None or value[0] != "ref":
                continue
            if self.project.class_info(value[1]) is None:
                return ("library", value[1])
            inherited = owner.member(value[1], name, seen)
            if inherited is not None:
                return inherited
        return None

    def call_result(self, func: Value | None) -> Value | None:
        if is_deferred(func):
            return defer("call", func)
        if func is None:
            return None
        key = callable_key(func)
        returned = self.returns.get(key) if key else None
        if returned is not None:
            return self.instance_of(returned)
        if func[0] == "ref":
            annotated = self.project.function_return(func[1])
            if annotated is not None:
                return annotated
            if self.project.class_info(func[1]) is not None or is_class_name(func[1]):
                return ("inst", func[1])
        elif func[0] == "meth":
            member = self.member(func[1], func[2], set())
            if member is not None and member[0] == "deferred":
                return ("defer", ("call", ("val", func)))
            if member is not None and member[0] == "method":
                return self.project.function_return(f"{member[1]}.{func[2]}")
        return None

    def instance_of(self, qualname: str | None) -> Value | None:
        return ("inst", self.canonical(qualname)) if qualname else None


def is_deferred(value: Value | None) -> TypeGuard[Value]:
    """A value that depends on another module of the project (see ``analysis/project.py``)."""
    return value is not None and value[0] == "defer"


def defer(kind: str, value: Value) -> Value:
    """The deferred result of applying ``kind`` to a deferred ``value``."""
    return ("defer", (kind, value[1]))


def callable_key(value: Value | None) -> str | None:
    if value is None or value[0] == "defer":
        return None
    if value[0] == "ref":
        return str(value[1])
    if value[0] == "meth":
        return f"{value[1]}.{value[2]}"
    return f"{value[1]}.__call__"


def is_class_name(qualname: str) -> bool:
    """CapWords last component (``Session``), not a CONSTANT."""
    last = qualname.rpartition(".")[2]
    return last[:1].isupper() and not last.isupper()
