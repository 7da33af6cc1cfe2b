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
  a client), when it is a class of this module, or when its name is CapWords (the convention for
  classes); anything else gives unknown.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

from loopguard.index import NONE, Binding, Expr, ModuleIndex

if TYPE_CHECKING:
    from loopguard.project import Project

Value = tuple[str, ...]

BUILTIN_NAMES = frozenset(dir(builtins))


class Resolver:
    """Resolution inside one module; ``project`` follows names into the other modules."""

    def __init__(self, index: ModuleIndex, project: Project) -> None:
        self.index = index
        self.project = project
        self.returns = project.returns
        self.aliases = project.aliases
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
            return self.call_result(self.resolve(expr[1], scope))  # type: ignore[arg-type]
        if kind == "sub":
            base = self.resolve(expr[1], scope)  # type: ignore[arg-type]
            if base is not None and base[0] == "inst":
                return self.instance_of(self.returns.get(f"{base[1]}.__getitem__"))
        return None

    def call_target(self, func: Expr, scope: int) -> str | None:
        """The qualified name the catalogue is matched against for a call of ``func``."""
        return callable_key(self.resolve(func, scope))

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
        if key in self._active:  # x = x.child: resolving x needs x
            return None
        self._active.add(key)
        try:
            return self.merge_bindings(bindings)
        finally:
            self._active.discard(key)

    def merge_bindings(self, bindings: list[Binding]) -> Value | None:
        declared = [b for b in bindings if b[0] == "type"]
        if declared:
            return self.binding_value(declared[0])
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
            target = self.resolve(binding[1], binding[2])  # type: ignore[arg-type]
            return ("inst", target[1]) if target is not None and target[0] == "ref" else None
        if kind in ("enter", "aenter"):
            manager = self.resolve(binding[1], binding[2])  # type: ignore[arg-type]
            if manager is None or manager[0] != "inst":
                return None
            method = "__enter__" if kind == "enter" else "__aenter__"
            entered = self.returns.get(f"{manager[1]}.{method}")
            return self.instance_of(entered) if entered else manager
        if kind == "self":
            return ("inst", str(binding[1]))
        if kind == "cls":
            return ("ref", str(binding[1]))
        return None

    # -- attributes and calls ---------------------------------------------------------------------
    def attribute(self, base: Value | None, name: str) -> Value | None:
        if base is None:
            return None
        if base[0] == "ref":
            return ("ref", self.canonical(f"{base[1]}.{name}"))
        if base[0] == "inst":
            found = self.class_attribute(base[1], name, set())
            if found is not None:
                owner, bindings = found
                return owner.merge(f"{base[1]}.{name}", -1, bindings)
            return ("meth", base[1], name)
        return None

    def class_attribute(
        self, qualname: str, name: str, seen: set[str]
    ) -> tuple[Resolver, list[Binding]] | None:
        """An instance attribute of a project class or its project bases (MRO order), with the
        resolver of the module that defines it (binding scopes are that module's)."""
        found = self.project.class_info(qualname)
        if found is None or qualname in seen:
            return None
        owner, info = found
        seen.add(qualname)
        if name in info.methods:
            return None
        if name in info.attributes:
            return owner, info.attributes[name]
        for base in info.bases:
            value = owner.resolve(base, info.scope)
            if value is not None and value[0] == "ref":
                inherited = owner.class_attribute(value[1], name, seen)
                if inherited is not None:
                    return inherited
        return None

    def call_result(self, func: Value | None) -> Value | None:
        if func is None:
            return None
        key = callable_key(func)
        returned = self.returns.get(key) if key else None
        if returned is not None:
            return self.instance_of(returned)
        if func[0] == "ref" and (self.project.class_info(func[1]) is not None or is_class_name(func[1])):
            return ("inst", func[1])
        return None

    def instance_of(self, qualname: str | None) -> Value | None:
        return ("inst", self.canonical(qualname)) if qualname else None


def callable_key(value: Value | None) -> str | None:
    if value is None:
        return None
    if value[0] == "ref":
        return value[1]
    if value[0] == "meth":
        return f"{value[1]}.{value[2]}"
    return f"{value[1]}.__call__"


def is_class_name(qualname: str) -> bool:
    """CapWords last component (``Session``), not a CONSTANT."""
    last = qualname.rpartition(".")[2]
    return last[:1].isupper() and not last.isupper()
