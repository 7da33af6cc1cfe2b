"""The project: every checked module's index, so names can be followed across modules.

``from shop.db import SessionLocal`` makes ``SessionLocal`` the qualified name
``shop.db.SessionLocal``; what that *is* (here a ``sessionmaker`` instance) is only known from
``shop/db.py``'s own bindings. ``Project.deref`` follows such names into the module that defines
them, using that module's resolver, so one set of resolution rules serves every module.

Names are resolved in two places: inside one module (a worker), and across the project (main).

``LocalProject`` knows one module. A reference into another module of the project becomes a
deferred value — the resolver carries it through attribute reads, calls and ``with`` as a closed
expression instead of guessing (guessing would be wrong: ``SessionLocal()`` is a ``Session`` only
because of what ``shop/db.py`` says). ``GlobalProject`` knows every module's summary and evaluates
those expressions with the same ``Resolver`` methods, so there is still one set of rules.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from typing import Any, Literal, TypeVar

from loopguard import catalogue
from loopguard.analysis.class_memo import KnownOrder, RememberingResolver, property_names
from loopguard.analysis.constants import IMPORTED, REEXPORT, ArgumentValue, is_imported, reexported
from loopguard.analysis.index import ClassInfo, ModuleIndex, Scope
from loopguard.analysis.managers import managed_type
from loopguard.analysis.resolve import ACCESS_KINDS, Resolver
from loopguard.analysis.stars import exported
from loopguard.analysis.values import Closed, DeferredTarget, Target, Value
from loopguard.models import NOT_LITERAL

T = TypeVar("T")

MAX_REEXPORTS = 16  # a chain of re-exports longer than this is a cycle
MAX_STAR_MODULES = 64  # star-imported modules searched for one name: beyond, the name is unknown
UNSPLIT: tuple[str, str] = ("", "")  # ``Project.split``'s memo: not asked yet (None is an answer)


class Project:
    """``returns`` and ``aliases`` are the catalogue's tables (tests may pass their own); the
    attribute types and file readers default to the built-in catalogue's."""

    memoise_merges = False

    def __init__(
        self,
        modules: Mapping[str, ModuleIndex],
        returns: Mapping[str, str],
        aliases: Mapping[str, str],
        attributes: Mapping[str, str] | None = None,
        file_readers: Collection[str] | None = None,
        file_types: Collection[str] | None = None,
    ) -> None:
        # kept as given: the project of a run over a few files reads its context modules' names
        # only when it looks into them (``cache.lazy.ModuleNames``)
        self.modules = modules
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
            resolver = self._resolvers[module] = self.new_resolver(self.modules[module])
        return resolver

    def forget_resolvers(self) -> None:
        """Drop the resolvers, which refer back to the project: a worker's project is done with
        once its module is summarised, and a cycle would keep the module's index alive until the
        paused collector runs again (``summary.summarize``)."""
        for resolver in self._resolvers.values():
            resolver.forget_members()  # (an attribute's answer holds its resolver: a cycle)
        self._resolvers.clear()

    def new_resolver(self, index: ModuleIndex) -> Resolver:
        return Resolver(index, self, self.memoise_merges)

    def split(self, qualname: str) -> tuple[str, str] | None:
        """``shop.db.SessionLocal`` -> ("shop.db", "SessionLocal"): the longest module prefix.

        Memoised: the resolver asks for every attribute of a module and every call of a name."""
        known = self._splits.get(qualname, UNSPLIT)
        if known is not UNSPLIT:
            return known
        found = None
        module = qualname
        cut = module.rfind(".")
        while cut >= 0:  # each prefix ending before a dot, the longest first (no split and joins)
            module = module[:cut]
            if module in self.modules:
                found = module, qualname[cut + 1 :]
                break
            cut = module.rfind(".")
        self._splits[qualname] = found
        return found

    def deref(self, value: Value | None, hops: int = 0) -> Value | None:
        """Follow a reference to a module-level name of another project module to its value —
        through re-exports (``from .clients import http`` in a package ``__init__``) too."""
        match value:
            case ("ref", qualname) if hops <= MAX_REEXPORTS:
                return self.module_level(qualname, hops)
        return value

    def module_level(self, qualname: str, hops: int) -> Value | None:
        """The value of a reference to ``qualname``: its module's binding when that is another name."""
        where = self.split(qualname)
        if where is None or "." in where[1]:
            return ("ref", qualname)
        module, name = where
        bindings = self.modules[module].scopes[0].bindings.get(name)
        if not bindings and self.modules[module].star_imports:  # a name a star import binds
            provider = self.star_module(module, name)
            if provider:
                return self.deref(("ref", f"{provider}.{name}"), hops + 1)
        if not bindings or (len(bindings) == 1 and bindings[0] == ("ref", qualname)):
            return ("ref", qualname)  # a def or class: its qualified name is the answer
        found = self.resolver(module).merge(name, 0, bindings)
        match found:
            case ("ref", other) if other != qualname:
                return self.deref(found, hops + 1)
        return found

    def star_name(self, module: str, name: str) -> Value | None:
        """What ``name``, bound by no scope of ``module`` and not a builtin, is: what one of its
        star imports binds (stars.py)."""
        qualname = f"{module}.{name}"
        found = self.deref(("ref", qualname))
        return None if found == ("ref", qualname) else found

    def star_module(self, module: str, name: str, searched: set[str] | None = None) -> str | None | Literal[False]:
        """The module whose top-level binding ``name`` is in ``module``, which binds no ``name`` of
        its own, through its star imports, the last first (stars.py); False when none of them binds
        it, None when one may (a module outside the project, an ``__all__`` not read). Each module
        is searched once (``searched``): star imports may form cycles, or reach a module twice."""
        searched = {module} if searched is None else searched
        for star in reversed(self.modules[module].star_imports):
            if star in searched:
                continue  # searched already, further up or by another route: nothing there
            searched.add(star)
            if len(searched) > MAX_STAR_MODULES or self.split(f"{star}.{name}") != (star, name):
                return None  # outside the project (or not checked): it may bind any name
            target = self.modules[star]
            given = exported(target.public, name)
            if given is None:
                return None
            if not given:
                continue
            if name in target.scopes[0].bindings:
                return star
            if target.star_imports:
                inner = self.star_module(star, name, searched)
                if inner is not False:
                    return inner
            elif target.public is not None:
                return None  # in ``__all__`` but not bound: a submodule, or set some other way
        return False

    def imported_constant(self, qualname: str) -> ArgumentValue:
        """The literal of another module's constant a call's argument names (constants.py), or
        of an enum member, ``module.Class.MEMBER`` (enums.py): through re-exports, each an import
        bound once; not a literal when anything is unknown."""
        enum_only = qualname.endswith(".value")  # ``Kind.MEMBER.value`` (constants.enum_value)
        qualname = qualname.removesuffix(".value") if enum_only else qualname
        for _hop in range(MAX_REEXPORTS):
            where = self.split(qualname)
            if where is None or where[1].count(".") > 1 or (enum_only and "." not in where[1]):
                return NOT_LITERAL
            module = self.modules[where[0]]
            name, _dot, member = where[1].partition(".")
            found = module.constants.get(where[1], NOT_LITERAL)
            if found == NOT_LITERAL and member and module.constants.get(name) == REEXPORT:
                found = REEXPORT  # the enum class imported here, bound once: follow it
            elif found == NOT_LITERAL and module.star_imports and name not in module.scopes[0].bindings:
                provider = self.star_module(where[0], name)  # the class a star import binds here
                found = (IMPORTED, f"{provider}.{where[1]}") if provider else NOT_LITERAL
            if found == REEXPORT:
                found = (IMPORTED, reexported(module.scopes[0].bindings.get(name, ())) or "")
                if member and found[1]:
                    found = (IMPORTED, f"{found[1]}.{member}")
            if not is_imported(found):
                return found
            qualname = found[1]
        return NOT_LITERAL

    def evaluate(self, value: Value | None) -> Value | None:
        """A value as this project can finish it (the whole project: see ``GlobalProject`` below)."""
        return value

    def class_info(self, qualname: str) -> tuple[Resolver, ClassInfo] | None:
        where = self.split(qualname)
        if where is None:
            return None
        info = self.modules[where[0]].classes.get(qualname)
        return (self.resolver(where[0]), info) if info is not None else None

    def method_order(self, qualname: str) -> tuple[str, ...] | str | None:
        """``Resolver.method_order`` of a class (the same from any resolver: the class's bases are
        resolved in its own module)."""
        found = self.class_info(qualname)
        return () if found is None else found[0].method_order(qualname, set())

    def function_return(self, qualname: str) -> Value | None:
        """An instance of the return annotation of a project function or method, if it has one."""
        where = self.split(qualname)
        if where is None:
            return None
        annotation = self.modules[where[0]].function_returns.get(qualname)
        if annotation is None:
            return None
        return self.resolver(where[0]).binding_value(("type", annotation[0], annotation[1]))


class LocalProject(Project):
    # one module's names, merged once each (``Resolver.merge``); the global project does not keep
    # merges: its answers must record the modules they read (``GlobalProject.touched``)
    memoise_merges = True

    def __init__(self, index: ModuleIndex, project_tops: Collection[str]) -> None:
        super().__init__({index.module: index}, catalogue.RETURNS, catalogue.ALIASES)
        self.module = index.module
        self.project_tops = project_tops
        # qualname -> what ``deref`` gives it when no merge decides it (``deref``)
        self._plain_refs: dict[str, Value] = {}
        self._prefix = index.module + "."

    def split(self, qualname: str) -> tuple[str, str] | None:
        """``Project.split`` of the one module: the only module prefix there is to find is its own
        (no memo, no search of each prefix: a worker's project is asked 11,000 splits for every
        10th homeassistant file, 9,000 of them of a name not asked before, most of them another
        module's, whose every prefix the search tried)."""
        prefix = self._prefix
        return (self.module, qualname[len(prefix) :]) if qualname.startswith(prefix) else None

    def is_elsewhere_in_project(self, qualname: str) -> bool:
        top = qualname.partition(".")[0]
        return top in self.project_tops and self.split(qualname) is None and qualname != self.module

    def class_info(self, qualname: str) -> tuple[Resolver, ClassInfo] | None:
        """``Project.class_info``, read off the one module's classes: each is named after the
        module (``module.Class``, ``module.f.<locals>.Class``), which is the module ``split``
        finds for it, and no other qualified name is a class of it — without the split, asked for
        every attribute of an instance (12,500 times for every 10th homeassistant file, most of
        them of a library's class)."""
        info = self.modules[self.module].classes.get(qualname)
        return None if info is None else (self.resolver(self.module), info)

    def star_name(self, module: str, name: str) -> Value | None:
        """A name a star import may bind is looked up once every module is known."""
        if any(star.partition(".")[0] in self.project_tops for star in self.modules[module].star_imports):
            return ("defer", ("g", f"{module}.{name}"))
        return None

    def deref(self, value: Value | None, hops: int = 0) -> Value | None:
        """``Project.deref``, inlined (asked for nearly every name and attribute the worker
        resolves: 47,000 times for every 10th homeassistant file), its answer kept per qualified
        name when no merge decides it: another project module's name (deferred), a name outside
        the project, a def, a class or a name the module does not bind (itself). Those depend on
        the name alone — not on ``hops``, which only stops a merge's chain of re-exports, nor on
        the chain being followed. A name bound otherwise in the module is merged each time, as
        ``merge`` keeps its own answers by its own rule."""
        if value.__class__ is not tuple or value[0] != "ref":  # (a ``Value`` is a tuple or None)
            return value
        qualname = value[1]
        known = self._plain_refs.get(qualname)
        if known is not None:
            return known
        if self.is_elsewhere_in_project(qualname):
            known = self._plain_refs[qualname] = ("defer", ("g", qualname))
            return known
        if hops > MAX_REEXPORTS:
            return value
        where = self.split(qualname)  # (only this module is known: it is the one split finds)
        if where is not None and "." not in where[1]:
            bindings = self.modules[where[0]].scopes[0].bindings.get(where[1])
            if bindings and not (len(bindings) == 1 and bindings[0] == value):
                return self.module_level(qualname, hops)
        # ``module_level``'s answer without a merge (a star import of this module's is outside
        # a one-module project: ``star_module`` finds no provider)
        known = self._plain_refs[qualname] = ("ref", qualname)
        return known


#: What an answer read when reads are not tracked.
NOTHING: frozenset[str] = frozenset()


class GlobalProject(Project):
    """Every module's summary (``FileSummary.names``), resolved on demand, with memoised replays.

    ``track_reads``: record the modules each answer read (the plan cache and the language server
    need them); a run without a cache never asks, and not recording them saves a tenth of its
    planning (every name split, class looked up and chain found would note its modules)."""

    def __init__(self, modules: Mapping[str, ModuleIndex], track_reads: bool = True) -> None:
        super().__init__(modules, catalogue.RETURNS, catalogue.ALIASES)
        self.track_reads = track_reads
        self.replayed: dict[Closed, tuple[Value | None, frozenset[str]]] = {}
        self._replay_resolver: Resolver | None = None
        # the modules an answer depended on, while ``track`` is recording (for the plan cache)
        self.touched: set[str] | None = None
        self._remembered: dict[Hashable, tuple[Any, frozenset[str]]] = {}  # see ``remembered``
        self._memos: dict[Hashable, dict[Any, tuple[Any, frozenset[str]]]] = {}  # see ``memo``
        # each call target finished, with the modules it read (``target``; read in place, for an
        # answer that read no module, by ``stages.find_candidates`` and ``CallGraph.resolve_body``)
        self.finished_targets: dict[DeferredTarget, tuple[str | None, frozenset[str]]] = {}
        self._property_names: frozenset[str] | None = None  # see ``may_be_a_property``
        self._class_infos: dict[str, tuple[tuple[Resolver, ClassInfo] | None, tuple[str, str] | None]] = {}
        self.known_orders: dict[str, KnownOrder] = {}  # class_memo.RememberingResolver.method_order

    def new_resolver(self, index: ModuleIndex) -> Resolver:
        """A resolver whose members and method orders are remembered for the project (class_memo.py)."""
        return RememberingResolver(index, self)

    def renew(self, module: str, modules: Mapping[str, ModuleIndex]) -> None:
        """Take ``modules``, the same modules as before but for ``module``'s index, keeping what
        stays true: every replay and call target that did not read ``module`` (each records the
        modules it read, as for the plan cache). The language server keeps a project this way
        between two versions of a buffer. Other remembered answers (call verdicts, which hold a
        call graph's answers) and the resolvers (whose memos read across modules) are dropped."""
        self.modules = modules
        self.forget_resolvers()
        self._replay_resolver = None
        self.known_orders.clear()
        self.replayed = {key: found for key, found in self.replayed.items() if module not in found[1]}
        self._remembered = {}
        self._memos = {}
        self.finished_targets = {key: found for key, found in self.finished_targets.items() if module not in found[1]}
        self._property_names = None
        self._class_infos = {
            key: found for key, found in self._class_infos.items() if found[1] is None or found[1][0] != module
        }

    def split(self, qualname: str) -> tuple[str, str] | None:
        found = self._splits.get(qualname, UNSPLIT)  # ``Project.split``'s memo, read here: asked 47,000 times
        if found is UNSPLIT:
            found = super().split(qualname)
        if found is not None and self.touched is not None:
            self.touched.add(found[0])
        return found

    def class_info(self, qualname: str) -> tuple[Resolver, ClassInfo] | None:
        """Memoised (asked for every attribute of every project class instance), recording the
        module it reads as ``split`` does."""
        found = self._class_infos.get(qualname)
        if found is None:
            found = self._class_infos[qualname] = (super().class_info(qualname), self.split(qualname))
        elif found[1] is not None and self.touched is not None:
            self.touched.add(found[1][0])
        return found[0]

    def method_order(self, qualname: str) -> tuple[str, ...] | str | None:
        """``Project.method_order``, a remembered order taken at once (asked alone, any is reusable:
        ``class_memo.reusable``) with the modules computing it read."""
        found = self.class_info(qualname)
        if found is None:
            return ()
        known = self.known_orders.get(qualname)
        if known is None:
            return found[0].method_order(qualname, set())
        if known[2] and self.touched is not None:
            self.touched.update(known[2])
        return known[0]

    def depend(self, modules: Iterable[str]) -> None:
        if self.touched is not None and modules:
            self.touched.update(modules)

    def recording(self) -> set[str] | None:
        """Start recording the modules used from here on; returns what was recorded before."""
        if not self.track_reads:
            return None
        outer, self.touched = self.touched, set()
        return outer

    def recorded(self, outer: set[str] | None) -> frozenset[str]:
        """Stop recording: what was used since ``recording()``, which the outer recording inherits."""
        if not self.track_reads:
            return NOTHING
        used = frozenset(self.touched) if self.touched else NOTHING
        if outer is not None:
            outer.update(used)  # in place: ``outer`` is the recording this one was started inside
        self.touched = outer
        return used

    def read_apart(self, compute: Callable[[], T]) -> tuple[T, frozenset[str]]:
        """``compute()`` and the modules it read, which the enclosing recording does not inherit:
        the caller decides which of them an answer depends on (``depend``)."""
        if not self.track_reads:
            return compute(), NOTHING
        outer, self.touched = self.touched, set()
        try:
            result = compute()
        finally:
            # most answers read nothing or a module or two: no new empty set for each
            used = frozenset(self.touched) if self.touched else NOTHING
            self.touched = outer
        return result, used

    def remembered(self, key: Hashable, compute: Callable[..., T], *arguments: object) -> T:
        """``compute(*arguments)``, computed once per ``key`` while the project lives: the same
        call target or helper is asked about by thousands of call sites (given apart, the
        arguments make no closure for the three in four askings already answered). The modules it
        read are recorded again at every use, so that each plan depends on the same modules as
        without it."""
        return self.answered(self._remembered, key, self._remembered.get(key), compute, *arguments)

    def memo(self, name: Hashable) -> dict[Any, tuple[Any, frozenset[str]]]:
        """A memo of the caller's own for ``answered``, named ``name``, dropped with the other
        remembered answers by ``renew``: keyed without ``remembered``'s prefix, a hit hashes less."""
        found = self._memos.get(name)
        if found is None:
            found = self._memos[name] = {}
        return found

    def answered(
        self,
        memo: dict[Any, tuple[Any, frozenset[str]]],
        key: Hashable,
        found: tuple[Any, frozenset[str]] | None,
        compute: Callable[..., T],
        *arguments: object,
    ) -> T:
        """``remembered`` with a memo of the caller's own (keys need no prefix telling them from
        other answers': a nested key tuple is hashed again at every lookup), for a caller that
        looked ``key`` up in ``memo`` already and ``found`` this (None: not there): the modules a
        remembered answer read recorded again, else the answer computed and kept.

        The hottest callers take a known answer at once, without calling this, recording the
        modules it read themselves: a hit then costs one lookup and no call (homeassistant's
        planning asks these memos ~300,000 times, two in three answered already; while each plan
        records what it read, for the plan cache, 220,000 of those hits read a module)."""
        if found is None:
            if self.track_reads:  # ``read_apart`` inlined: no closure and no frame at each of ~100,000 answers
                outer, self.touched = self.touched, set()
                try:
                    computed = compute(*arguments)
                finally:
                    used = frozenset(self.touched) if self.touched else NOTHING
                    self.touched = outer
                found = (computed, used)
            else:
                found = (compute(*arguments), NOTHING)
            memo[key] = found
        result: T = found[0]  # no ``typing.cast``: a call more at each of ~100,000 answers
        if found[1] and self.touched is not None:
            self.touched.update(found[1])
        return result

    def evaluate(self, value: Value | None) -> Value | None:
        """A value from a summary, with any deferred part resolved across the project."""
        match value:
            case ("defer", expression):
                return self.finish(expression)
        return value

    def finish(self, expression: Closed) -> Value | None:
        """A deferred value's expression, replayed once (memoised with the modules it read)."""
        known = self.replayed.get(expression)  # one lookup: hashing a nested tuple is not cached
        if known is not None:
            if known[1] and self.touched is not None:
                self.touched.update(known[1])
            return known[0]
        self.replayed[expression] = (None, NOTHING)  # a cycle between modules resolves to unknown
        if not self.track_reads:  # nothing to record: no frames of ``recording`` and ``recorded``
            result = self.replay(expression)
            self.replayed[expression] = (result, NOTHING)
            return result
        outer, self.touched = self.touched, set()  # ``recording`` and ``recorded`` inlined
        result = self.replay(expression)
        used = frozenset(self.touched) if self.touched else NOTHING
        if outer is not None:
            outer.update(used)
        self.touched = outer
        self.replayed[expression] = (result, used)
        return result

    def replay(self, expression: Closed) -> Value | None:
        """Apply, now that every module is known, the step a worker had to defer."""
        match expression:
            case ("val", value):
                return self.evaluate(value)
            case ("g", qualname):
                return self.evaluate(self.deref(("ref", qualname)))
            case ("attr", inner, name, called):
                return self.evaluate(self.deref(self.resolver_for_replay.attribute(self.finish(inner), name, called)))
            case ("call", inner):
                return self.evaluate(self.resolver_for_replay.call_result(self.finish(inner)))
            case (("sub" | "div") as kind, inner):
                return self.evaluate(self.resolver_for_replay.special_result(self.finish(inner), kind))
            case ("type", inner):
                match self.finish(inner):
                    case ("ref", qualname):
                        return ("inst", qualname)
                return None
            case (("enter" | "aenter") as entering, inner):
                return self.evaluate(self.resolver_for_replay.entered(self.finish(inner), entering))
            case ("managed", decorator, inner):
                return managed_type(("ref", decorator), self.finish(inner))
        return None

    def target(self, target: Target) -> str | None:
        """The qualified name a summary's call target stands for."""
        if target is None or isinstance(target, str):
            return target
        found = self.finished_targets.get(target)
        if found is not None:  # known: the modules it read recorded again here (``answered``)
            if found[1] and self.touched is not None:
                self.touched.update(found[1])
            return found[0]
        return self.answered(self.finished_targets, target, None, self.finished_target, target)

    def finished_target(self, target: DeferredTarget) -> str | None:
        resolver = self.resolver_for_replay
        match target:
            case ("defer", ("enterkey", closed)):  # ``finish``: ``evaluate`` of ("defer", closed)
                found = resolver.entering_target(self.finish(closed))
            case ("defer", ("iterkey", closed)):
                found = resolver.iteration_target(self.finish(closed))
            case ("defer", ("argkey", callee, argument)):
                found = resolver.argument_target(self.replay(callee), self.replay(argument))
            case ("defer", (("getkey" | "setkey" | "delkey") as kind, ("attr", inner, name, _))):
                if not self.may_be_a_property(name):
                    return None  # no project class has a property of that name: no call
                found = resolver.access_target(ACCESS_KINDS[kind], self.finish(inner), name)
            case ("defer", ("plainkey", closed)):
                found = resolver.plain_target(self.finish(closed))
            case _:  # not a shape loopguard writes (a cache entry can hold any well-formed tree)
                return None
        return found if isinstance(found, str) else None

    def may_be_a_property(self, name: str) -> bool:
        """Whether an access of ``name`` may be a property's: the name of a property of a project
        class, or any name in a project that records what each answer reads (a class may gain a
        property named so, which no read of the modules the access finishes in would notice). Half
        the accesses a worker sends are deferred; about one in ten is a property's."""
        return self.track_reads or name in self.known_property_names()

    def known_property_names(self) -> frozenset[str]:
        """The names of the project classes' properties, worked out once."""
        if self._property_names is None:
            self._property_names = property_names(self.modules.values())
        return self._property_names

    def before_sharing(self) -> None:
        """Work out ahead what every share of the planning (``runner.shares_to_plan``) would work
        out alike, the first time it needs it, in each process: the project's property names
        (~9 ms on homeassistant, a walk of its 8,600 classes), unless every access is taken as a
        property's (``may_be_a_property``)."""
        if not self.track_reads:
            self.known_property_names()

    @property
    def resolver_for_replay(self) -> Resolver:
        if self._replay_resolver is None:
            empty = ModuleIndex("", "", [Scope("module", None, "")], {}, [], {}, set())
            self._replay_resolver = self.new_resolver(empty)
        return self._replay_resolver
