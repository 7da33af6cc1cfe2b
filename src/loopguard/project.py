"""The project: every checked module's index, so names can be followed across modules.

``from shop.db import SessionLocal`` makes ``SessionLocal`` the qualified name
``shop.db.SessionLocal``; what that *is* (here a ``sessionmaker`` instance) is only known from
``shop/db.py``'s own bindings. ``Project.deref`` follows such names into the module that defines
them, using that module's resolver, so one set of resolution rules serves every module.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from loopguard import catalogue
from loopguard.index import ClassInfo, ModuleIndex
from loopguard.resolve import Resolver, Value

MAX_REEXPORTS = 16  # a chain of re-exports longer than this is a cycle


class Project:
    """``returns`` and ``aliases`` are the catalogue's tables (tests may pass their own); the
    attribute types and file readers default to the built-in catalogue's."""

    def __init__(
        self,
        modules: Mapping[str, ModuleIndex],
        returns: Mapping[str, str],
        aliases: Mapping[str, str],
        attributes: Mapping[str, str] | None = None,
        file_readers: Collection[str] | None = None,
        file_types: Collection[str] | None = None,
    ) -> None:
        self.modules = dict(modules)
        self.returns = returns
        self.aliases = aliases
        self.attributes = catalogue.ATTRIBUTES if attributes is None else attributes
        self.file_readers = catalogue.FILE_READERS if file_readers is None else file_readers
        self.file_types = catalogue.FILE_TYPES if file_types is None else file_types
        self._resolvers: dict[str, Resolver] = {}
        self._splits: dict[str, tuple[str, str] | None] = {}

    def resolver(self, module: str) -> Resolver:
        resolver = self._resolvers.get(module)
        if resolver is None:
            resolver = Resolver(self.modules[module], self)
            self._resolvers[module] = resolver
        return resolver

    def split(self, qualname: str) -> tuple[str, str] | None:
        """``shop.db.SessionLocal`` -> ("shop.db", "SessionLocal"): the longest module prefix.

        Memoised: the resolver asks for every attribute of a module and every call of a name."""
        if qualname in self._splits:
            return self._splits[qualname]
        found = None
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            if module in self.modules:
                found = module, ".".join(parts[cut:])
                break
        self._splits[qualname] = found
        return found

    def deref(self, value: Value | None, hops: int = 0) -> Value | None:
        """Follow a reference to a module-level name of another project module to its value —
        through re-exports (``from .clients import http`` in a package ``__init__``) too."""
        if value is None or value[0] != "ref" or hops > MAX_REEXPORTS:
            return value
        where = self.split(value[1])
        if where is None or "." in where[1]:
            return value
        module, name = where
        bindings = self.modules[module].scopes[0].bindings.get(name)
        if not bindings or (len(bindings) == 1 and bindings[0] == ("ref", value[1])):
            return value  # a def or class: its qualified name is the answer
        found = self.resolver(module).merge(name, 0, bindings)
        if found is not None and found[0] == "ref" and found != value:
            return self.deref(found, hops + 1)
        return found

    def evaluate(self, value: Value | None) -> Value | None:
        """A value as this project can finish it (the whole project: see ``world.GlobalProject``)."""
        return value

    def class_info(self, qualname: str) -> tuple[Resolver, ClassInfo] | None:
        where = self.split(qualname)
        if where is None:
            return None
        info = self.modules[where[0]].classes.get(qualname)
        return (self.resolver(where[0]), info) if info is not None else None

    def function_return(self, qualname: str) -> Value | None:
        """An instance of the return annotation of a project function or method, if it has one."""
        where = self.split(qualname)
        if where is None:
            return None
        annotation = self.modules[where[0]].function_returns.get(qualname)
        if annotation is None:
            return None
        return self.resolver(where[0]).binding_value(("type", annotation[0], annotation[1]))
