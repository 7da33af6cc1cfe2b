"""The project: every checked module's index, so names can be followed across modules.

``from shop.db import SessionLocal`` makes ``SessionLocal`` the qualified name
``shop.db.SessionLocal``; what that *is* (here a ``sessionmaker`` instance) is only known from
``shop/db.py``'s own bindings. ``Project.deref`` follows such names into the module that defines
them, using that module's resolver, so one set of resolution rules serves every module.
"""

from __future__ import annotations

from collections.abc import Mapping

from loopguard.index import ClassInfo, ModuleIndex
from loopguard.resolve import Resolver, Value


class Project:
    def __init__(
        self, modules: Mapping[str, ModuleIndex], returns: Mapping[str, str], aliases: Mapping[str, str]
    ) -> None:
        self.modules = dict(modules)
        self.returns = returns
        self.aliases = aliases
        self._resolvers: dict[str, Resolver] = {}

    def resolver(self, module: str) -> Resolver:
        resolver = self._resolvers.get(module)
        if resolver is None:
            resolver = Resolver(self.modules[module], self)
            self._resolvers[module] = resolver
        return resolver

    def split(self, qualname: str) -> tuple[str, str] | None:
        """``shop.db.SessionLocal`` -> ("shop.db", "SessionLocal"): the longest module prefix."""
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            if module in self.modules:
                return module, ".".join(parts[cut:])
        return None

    def deref(self, value: Value | None) -> Value | None:
        """Follow a reference to a module-level name of another project module to its value."""
        if value is None or value[0] != "ref":
            return value
        where = self.split(value[1])
        if where is None or "." in where[1]:
            return value
        module, name = where
        bindings = self.modules[module].scopes[0].bindings.get(name)
        if not bindings or bindings == [("ref", value[1])]:
            return value  # a def or class: its qualified name is the answer
        return self.resolver(module).merge(name, 0, bindings)

    def class_info(self, qualname: str) -> tuple[Resolver, ClassInfo] | None:
        where = self.split(qualname)
        if where is None:
            return None
        info = self.modules[where[0]].classes.get(qualname)
        return (self.resolver(where[0]), info) if info is not None else None
