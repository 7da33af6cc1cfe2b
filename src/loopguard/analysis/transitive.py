"""Which sync project functions block, and the chain down to the blocking call that proves it.

A sync function blocks when its own body calls a blocking API, or calls a project function that
blocks — on any path, up to ``max-depth`` calls deep. Calls are resolved with the same rules as
everywhere else: a method call links only through a receiver whose project class is known (and then
through that class's project bases, in order), never by the method's name alone, so two classes
with a ``set_volume`` method are never confused. A function passed *by reference* — to
``asyncio.to_thread``, an executor, a configured offload helper — is not a call and creates no edge,
so off-loop helpers stay silent; a helper only ever called from sync code is never reported, because
findings are only made at call sites on the loop.

Every answer is a property of the call graph alone — never of the order in which questions are
asked, of what a warm cache skipped, or of cycles. A function's *distance* is the number of hops of
its shortest chain: 1 when its own body calls a blocking API, else one more than its nearest
blocking callee's. Distances are computed for a whole region at once (everything reachable from the
function asked about, through bodies that call no blocking API) by a shortest-path search backwards
from the blocking bodies, iteratively, so cycles and chains of any length need no recursion. The
witness is the shortest chain, ties broken by call order in each body: from each function, its
first call of a callee one hop nearer. A function further than ``max-depth`` does not block.

For the plan cache, an answer depends on the modules read to resolve the bodies within
``distance - 1`` hops of the function (``max-depth - 1`` when it does not block): no chain that
could change the answer leaves that neighbourhood (see ``depends_on``).
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import cast

from loopguard.analysis.annotated_types import annotated_type
from loopguard.analysis.argument_types import instance_of, is_typed, recorded
from loopguard.analysis.constants import with_imported
from loopguard.analysis.constructors import constructor_methods
from loopguard.analysis.facts import facts_given, passed_parameters
from loopguard.analysis.flags import is_tested, tested_guard, tested_value
from loopguard.analysis.guards import Condition, can_run, names_in, needs_a_string_form, parts_of
from loopguard.analysis.init_flow import SelfEffects, flow_arguments, start_flow
from loopguard.analysis.known import KnownValues, aliased_values, expansions, is_alias, locals_of
from loopguard.analysis.loop_values import LoopValues
from loopguard.analysis.match import Match, Matcher, with_arguments
from loopguard.analysis.project import GlobalProject
from loopguard.analysis.receiver_values import ReceiverValues
from loopguard.analysis.receivers import (
    BUILT,
    CLASS,
    SELF,
    class_given,
    construction_of,
    marks_self,
    receiver_mark,
)
from loopguard.analysis.summary import FileSummary, FunctionCall, FunctionFields, FunctionSummary
from loopguard.analysis.values import Target
from loopguard.catalogue import (
    LOOP_SCHEDULERS,
    MEMOISED,
    MEMOISERS,
    OFFLOADING_DECORATORS,
    PROPERTY_DECORATORS,
    STRING_FORM,
    TRANSPARENT_DECORATORS,
)
from loopguard.models import NOT_LITERAL, PASSED, TESTED, Hop, Literal, Parameters, is_plain_literal

#: No parameter's type tested (``CallGraph.type_tested``)
NOTHING_TESTED: frozenset[str | int] = frozenset()
#: No module read (``CallGraph.member_values``)
NOTHING_READ: frozenset[str] = frozenset()

#: The function of a property that assigning (set) or deleting (del) it calls: ``Cls.name.setter``
ACCESSORS = {"set": "setter", "del": "deleter"}


@dataclass(frozen=True, slots=True)
class Witness:
    """Why a function blocks: the API at the end, and the hops from its body down to that call."""

    match: Match
    hops: tuple[Hop, ...]


@dataclass(frozen=True, slots=True)
class GuardReads:
    """What the guards of a function's body read: the names (with those it passes on), the facts
    it tests as its parameters came in (facts.py), the enum members (enums.py) and the names whose
    type an ``isinstance`` tests (``CallGraph.type_tested``)."""

    names: frozenset[str]
    facts: frozenset[str]
    members: frozenset[str]
    typed: frozenset[str]


@dataclass(frozen=True, slots=True)
class Body:
    """What a function's body calls, resolved once: the first blocking API in call order (then
    nothing else matters: no chain through a callee is shorter), else the project functions it
    calls, in call order, as (line, col, callee). ``reads``: the modules read to resolve them, as
    a bit mask (see ``CallGraph.module_bit``)."""

    api: tuple[int, int, Match] | None
    callees: tuple[tuple[int, int, str], ...]
    reads: int


def short_name(qualname: str) -> str:
    """``app.clients.AvatarClient.fetch`` -> ``AvatarClient.fetch`` (module path dropped)."""
    parts = [p for p in qualname.split(".") if p != "<locals>"]
    if len(parts) >= 3 and parts[-1] in ("setter", "deleter") and parts[-3][:1].isupper():
        return ".".join(parts[-3:])  # a property's setter or deleter: ``Certs.pem.setter``
    is_class = len(parts) >= 2 and parts[-2].lstrip("_")[:1].isupper()  # also _PrivateClass
    return ".".join(parts[-2:]) if is_class else parts[-1]


def in_evaluation_order(calls: tuple[FunctionCall, ...]) -> list[FunctionCall]:
    """A body's calls in the order they run. The index records a call before the calls inside it,
    which is the order they run in, except for calls that start at the same position: in
    ``open(p).read()`` the inner ``open`` runs first (so the helper's blocking call is the open)."""
    ordered: list[FunctionCall] = []
    run = 0  # where the calls starting at the current position begin in ``ordered``
    for call in calls:
        if ordered and ordered[-1][:2] == call[:2]:
            ordered.insert(run, call)
        else:
            run = len(ordered)
            ordered.append(call)
    return ordered


def shortest_distances(
    region: Iterable[str],
    bodies: Mapping[str, Body],
    known: Mapping[str, int | None],
    max_depth: int,
) -> dict[str, int | None]:
    """The distance of every function of ``region`` (None beyond ``max_depth``). ``region`` holds
    every callee of its non-blocking bodies except those already ``known``: a Dijkstra search over
    the reversed calls, seeded by the blocking bodies and the calls out to known distances."""
    callers: dict[str, list[str]] = {qualname: [] for qualname in region}
    best: dict[str, int] = {}
    for qualname in callers:
        body = bodies[qualname]
        if body.api is not None:
            best[qualname] = 1
            continue
        for _line, _col, callee in body.callees:
            if callee in callers:
                callers[callee].append(qualname)
                continue
            distance = known[callee]
            if distance is not None and distance + 1 < best.get(qualname, max_depth + 1):
                best[qualname] = distance + 1
    queue = [(distance, qualname) for qualname, distance in best.items()]
    heapq.heapify(queue)
    while queue:
        distance, qualname = heapq.heappop(queue)
        if distance > best[qualname] or distance >= max_depth:
            continue  # stale entry, or its callers would be beyond max-depth
        for caller in callers[qualname]:
            if distance + 1 < best.get(caller, max_depth + 1):
                best[caller] = distance + 1
                heapq.heappush(queue, (distance + 1, caller))
    return {qualname: best.get(qualname) for qualname in callers}


class CallGraph:
    def __init__(
        self,
        summaries: Mapping[str, tuple[str, FileSummary]],
        project: GlobalProject,
        matcher: Matcher,
        max_depth: int,
        report_memoised: bool = False,
        through_memoised: bool = False,
        offload_decorators: frozenset[str] = frozenset(),
        report_string_forms: bool = False,
        through_forms: bool = False,
    ) -> None:
        """``summaries``: module -> (display path, summary), for every module read.

        Memoised helpers (``functools.cache``) block once per process, so no chain through one is
        reported under its blocking call's code: this graph does not follow them. With
        ``report_memoised``, a function that blocks only through one is reported under ``LG011``
        (answered by a second graph that does follow them, ``through_memoised``). A memoised helper
        called at import time is warm before any coroutine runs: neither graph follows it.

        Likewise a branch taken only for a form of a string the call does not show
        (``guards.needs_a_string_form``) is not followed; with ``report_string_forms``, a function
        that blocks only through one is reported under ``LG012`` (a third graph that does follow
        them, ``through_forms``)."""
        self.project = project
        self.matcher = matcher
        self.max_depth = max_depth
        self.through_memoised = through_memoised
        self.through_forms = through_forms
        functions: dict[str, tuple[str, FunctionFields]] = {}
        module_of: dict[str, str] = {}
        for display, summary in summaries.values():  # (26,000 functions in homeassistant: locals)
            module = summary.module
            for qualname, function in summary.functions.items():
                if qualname not in functions:
                    functions[qualname] = (display, function)
                    module_of[qualname] = module
        self.functions, self.module_of = functions, module_of
        # the last part of every project function's name, when no answer records what it reads
        # (``function_for``)
        self.method_names = (
            None if project.track_reads else frozenset({q.rpartition(".")[2] for q in functions})
        )
        self.bodies: dict[str, Body] = {}
        self.distance: dict[str, int | None] = {}  # final: every function reachable is in too
        self._witnesses: dict[str, Witness | None] = {}
        self._neighbourhoods: dict[tuple[str, int], int] = {}
        self._depends: dict[str, frozenset[str]] = {}
        self._bits: dict[str, int] = {}
        self._modules: list[str] = []
        self.loop_functions: frozenset[str] = frozenset()  # see find_loop_functions
        # calling an offloaded function starts a thread or makes a coroutine: it never blocks
        memoised, self.offloaded, self.properties = self.decorated_with(
            MEMOISERS, OFFLOADING_DECORATORS | offload_decorators, PROPERTY_DECORATORS
        )
        # a hand-written memo (a module global filled once) is a memoised helper too
        self.memoised = memoised | {q for q, (_display, entry) in self.functions.items() if entry[6]}
        # each target once: homeassistant's 4,700 calls made at import call 1,100 targets
        imported = {target for _display, summary in summaries.values() for target in summary.import_calls}
        called_at_import = {self.function_for(self.project.target(target)) for target in imported}
        self.warm = self.memoised.intersection(called_at_import)
        self._through_memoised: dict[str, bool] = {}
        # A helper called with literal arguments that decide some of its guards is a node of its
        # own, "module.helper(name='X')": its body without the branches those values rule out.
        self.base: dict[str, str] = {}  # specialised node -> the function
        self.arguments_of: dict[str, dict[str, object]] = {}  # specialised node -> its values
        self._guard_reads: dict[str, GuardReads] = {}
        self._type_tested: dict[str, frozenset[str | int]] = {}
        self._locals: dict[str, tuple[dict[str, object], bool]] = {}  # see ``locals_of``
        self.facts_of: dict[str, dict[str, bool]] = {}  # specialised node -> the facts it was given
        self._members: dict[str, tuple[dict[str, object], frozenset[str]]] = {}
        self._callees: dict[str, tuple[tuple[tuple[str, bool], ...], frozenset[str]]] = {}
        self._apis: dict[str | None, tuple[bool, Match | None]] = {}
        self._summaries: dict[str, tuple[str, FunctionSummary]] = {}
        self._ordered: dict[str, list[FunctionCall]] = {}  # ``in_evaluation_order`` of each body resolved
        self._nodes: dict[tuple[str, tuple[Literal, ...], tuple[tuple[str, bool], ...]], tuple[str, frozenset[str]]] = {}
        self.loop_values = LoopValues(
            lambda qualname: self.function(qualname)[1],
            lambda target: self.function_for(self.project.target(target)),
            self.project.read_apart,
            self.project.depend,
        )
        self.receivers = ReceiverValues(self, self.project.read_apart, self.project.depend)
        # what methods assign on their receivers (init_flow.py)
        self.self_effects = SelfEffects(self, self.project)

        def following(**what: bool) -> CallGraph:
            """A graph of the same project that follows what this one leaves out."""
            return CallGraph(summaries, project, matcher, max_depth, offload_decorators=offload_decorators, **what)

        self.memoised_graph = following(through_memoised=True) if report_memoised else None
        self.forms_graph = following(through_forms=True) if report_string_forms else None

    def decorated_with(self, *groups: frozenset[str]) -> list[frozenset[str]]:
        """For each group of decorators, the functions decorated with one of them (in one pass over
        the project's functions, resolving each decorator once)."""
        found: list[set[str]] = [set() for _ in groups]
        # the groups of each list of decorators, worked out once: homeassistant's 13,000 decorated
        # functions have 127 distinct lists (``@callback``, ``@property``, ``@cached_property``)
        within: dict[tuple[Target, ...], list[set[str]]] = {}
        for qualname, (_display, entry) in self.functions.items():
            decorators = entry[3]  # ``FunctionSummary.decorators``, without making one per function
            if not decorators:
                continue
            sets = within.get(decorators)
            if sets is None:
                targets = {self.project.target(d) for d in decorators}
                sets = within[decorators] = [
                    functions for group, functions in zip(groups, found) if not targets.isdisjoint(group)
                ]
            for functions in sets:
                functions.add(qualname)
        return [frozenset(functions) for functions in found]

    def function_for(self, key: str | None) -> str | None:
        """The project function a call key names: directly, or a method found in a project base."""
        if key is None:
            return None
        if key in self.functions:
            if self.project.touched is not None:  # recording: no tuple and no call otherwise
                self.project.depend((self.module_of[key],))
            return key
        owner, _, name = key.rpartition(".")
        if not owner or (self.method_names is not None and name not in self.method_names):
            # no project function has that name: no class gets it as a method (homeassistant:
            # 10,000 of 39,000 askings, ``__attrs_post_init__``, methods of library bases). While
            # reads are recorded the bases are looked through all the same: a base of the class
            # may gain that method, and the plan must depend on the modules that would tell
            return None
        if self.project.class_info(owner) is None:
            return None
        resolver = self.project.resolver_for_replay
        match resolver.member(owner, name):
            case ("method", defining) if f"{defining}.{name}" in self.functions:
                found = f"{defining}.{name}"
                self.project.depend((self.module_of[found],))
                return found
        return None

    def callees_for(self, key: str | None) -> tuple[tuple[str, bool], ...]:
        """The project functions a call of ``key`` runs, each with whether the call's arguments
        are its own: the function or method it names, or the constructor methods of the project
        class it names (``constructors.py``). Worked out once per key, with the modules it read
        (recorded at each use): homeassistant's plan asks 58,000 times for 15,000 keys, each
        constructor a lookup of four methods in the class's MRO."""
        if key is None:
            return ()
        found = self._callees.get(key)
        if found is not None:  # known: the modules it read recorded again here (``answered``)
            if found[1] and self.project.touched is not None:
                self.project.touched.update(found[1])
            return found[0]
        return self.project.answered(self._callees, key, found, self.find_callees, key)

    def find_callees(self, key: str) -> tuple[tuple[str, bool], ...]:
        accessed, _, kind = key.partition(":")
        if kind:
            return self.accessor(accessed, kind)
        function = self.function_for(key)
        if function is not None:
            return ((function, True),)
        if self.project.class_info(key) is None:
            return ()
        return constructor_methods(key, self.function_for)

    def accessor(self, prop: str, kind: str) -> tuple[tuple[str, bool], ...]:
        """The project function an access of ``prop`` (``Cls.name``, ``resolve.access_target``) with
        ``kind`` ("get", "set", "del") calls: the getter, the setter or the deleter of a property
        whose decorator is one (``catalogue.PROPERTY_DECORATORS``); none for anything else."""
        if prop not in self.properties:
            return ()
        function = prop if kind == "get" else f"{prop}.{ACCESSORS[kind]}"
        if function not in self.functions:
            return ()
        self.project.depend((self.module_of[function],))
        return ((function, False),)

    def function(self, qualname: str) -> tuple[str, FunctionSummary]:
        """A function's display path and summary, made once (asked 60,000 times planning
        homeassistant, for 8,000 functions)."""
        found = self._summaries.get(qualname)
        if found is None:
            display, entry = self.functions[qualname]
            found = self._summaries[qualname] = (display, FunctionSummary._make(entry))
        return found

    def base_of(self, node: str) -> str:
        return self.base.get(node, node)

    def blocking(self, node: str) -> Witness | None:
        """The shortest chain by which ``node`` (a function, or a function called with literals)
        blocks, within ``max-depth`` hops, if any — under ``LG011`` when every such chain goes
        through a memoised helper."""
        qualname = self.base_of(node)
        if qualname in self.warm or qualname in self.offloaded:
            return None
        if qualname not in self.memoised:
            witness = self.shortest_chain(node)
            if witness is not None:
                return witness
        if self.memoised_graph is not None:
            witness = self.memoised_graph.chain_through_memoised(node, self)
            if witness is not None:
                return witness
        if self.forms_graph is not None and qualname not in self.memoised:
            return self.forms_graph.chain_through_forms(node, self)
        return None

    def specialise(
        self, qualname: str, literals: tuple[Literal, ...], facts: Mapping[str, bool] | None = None
    ) -> str:
        """The node for a call of ``qualname`` with ``literals``: the function itself, unless the
        values decide one of its guards (then a node whose body leaves out what they rule out).
        A recursive function's own calls have other arguments: in a specialised node they are
        calls of the node for those arguments (``resolve_body``). ``facts``: what the caller's
        guards established for the call (facts.py), kept where the body tests them."""
        reads = self._guard_reads.get(qualname) or self.guard_reads(qualname)  # asked 28,000 times
        names = reads.names  # literal defaults count too: even a call with none
        tested = {text: value for text, value in facts.items() if text in reads.facts} if facts else {}
        if not names and not tested:
            return qualname
        # the same call is specialised again from each caller's body and each verdict that
        # reaches it (homeassistant: 28,000 times, 19,000 distinct): the node is made once, with
        # the modules it read recorded at each use
        key = (qualname, literals, tuple(sorted(tested.items())) if tested else ())
        found = self._nodes.get(key)
        if found is not None:  # known: the modules it read recorded again here (``answered``)
            if found[1] and self.project.touched is not None:
                self.project.touched.update(found[1])
            return found[0]
        return self.project.answered(self._nodes, key, found, self.specialised, qualname, literals, names, tested)

    def specialised(
        self, qualname: str, literals: tuple[Literal, ...], names: frozenset[str], tested: dict[str, bool]
    ) -> str:
        arguments: dict[str, object] = {}
        if names:
            _display, function = self.function(qualname)
            literals = with_imported(literals, self.project.imported_constant)  # another module's constants
            local_values, aliases = self.locals_of(qualname)
            exact = class_given(literals)
            # every parameter's value only where aliases or the receiver's flow read them all; else
            # those of ``names`` (homeassistant's helpers take many keyword parameters, few read)
            wanted = None if aliases or exact is not None else names
            values = argument_values(function.parameters, literals, self.type_tested(qualname), wanted)
            if local_values:
                values |= local_values
            if aliases:
                values |= aliased_values(function.parameters, values)  # ``content = file_content``
            arguments = {name: value for name, value in values.items() if name in names}
            if exact is not None:  # the receiver's class is known: what its paths give (receivers.py)
                construction = construction_of(literals)
                arguments |= self.receivers.paths(self.receivers.built(exact, construction), qualname, names)
                if CLASS in names:  # passed on to the calls on its receiver
                    arguments[CLASS] = exact
                    arguments |= {f"{BUILT}{key}": known_or_not(value) for key, value in construction}
                flow = flow_arguments(self.self_effects, qualname, function.parameters, literals, values, exact)
                if flow:  # what ``self``'s attributes hold as the method starts (init_flow.py)
                    arguments |= {**flow, CLASS: exact}
        if not arguments and not tested:
            return qualname
        node = f"{qualname}({', '.join([f'{k}={v!r}' for k, v in sorted(arguments.items())])})"
        if tested:
            node += "[" + "; ".join(f"{text} is {value}" for text, value in sorted(tested.items())) + "]"
            self.facts_of[node] = tested
        self.base[node] = qualname
        self.arguments_of[node] = arguments
        return node

    def locals_of(self, qualname: str) -> tuple[dict[str, object], bool]:
        """A function's literal locals (``known.locals_of``), and whether a local starts as one of
        its parameters (else ``aliased_values`` finds none): the same for every node of the
        function (homeassistant: 12,600 nodes made, of 4,700 functions; 145 have literal locals,
        14 a local that starts as a parameter), worked out once."""
        found = self._locals.get(qualname)
        if found is None:
            parameters = self.function(qualname)[1].parameters
            aliases = any(is_alias(value) for _name, value in parameters[2])
            found = self._locals[qualname] = (locals_of(parameters), aliases)
        return found

    def type_tested(self, qualname: str) -> frozenset[str | int]:
        """The parameters whose type a guard of ``qualname`` tests (``isinstance``), themselves or
        through a local that starts as one, by name and position: those an annotated argument is
        worth passing to (annotated_types.py) — a type given to any other makes a node that
        decides nothing."""
        found = self._type_tested.get(qualname)
        if found is None:
            subjects = self.guard_reads(qualname).typed  # found in the same walk of the guards
            found = self._type_tested[qualname] = self.parameters_named(qualname, subjects) if subjects else NOTHING_TESTED
        return found

    def parameters_named(self, qualname: str, subjects: frozenset[str]) -> frozenset[str | int]:
        """The parameters ``subjects`` name, themselves or through a local that starts as one, by
        name and position."""
        positional, _keyword_only, defaults, bound, _rebindings = self.function(qualname)[1].parameters
        aliases = {name: str(value[1]) for name, value in defaults if is_alias(value)}
        tested = {aliases.get(name, name) for name in subjects}
        ordered = positional[1:] if bound else positional
        return frozenset((*tested, *(position for position, name in enumerate(ordered) if name in tested)))

    def facts_for(self, callee: str, conditions: tuple[Condition, ...], literals: tuple[Literal, ...]) -> dict[str, bool]:
        """What the guards around a call establish for ``callee`` (facts.py), in its parameters."""
        if not self.fact_names(callee):
            return {}
        passed = passed_parameters(self.function(callee)[1].parameters, literals)
        return facts_given(conditions, passed) if passed else {}

    def fact_names(self, qualname: str) -> frozenset[str]:
        """The facts ``qualname``'s guards test as its parameters came in (facts.py)."""
        return self.guard_reads(qualname).facts

    def guard_reads(self, qualname: str) -> GuardReads:
        """What the guards of ``qualname``'s body read, from one walk of them."""
        found = self._guard_reads.get(qualname)  # one lookup: asked for every node made
        if found is not None:
            return found
        _display, function = self.function(qualname)
        names: set[str] = set()
        facts: set[str] = set()
        members: set[str] = set()
        typed: set[str] = set()
        for call in function.calls:
            for guard, _value in call[6]:
                for part in parts_of(guard):
                    if part[0] == "name":
                        names.add(part[1])
                    elif part[0] == "fact" and part[3]:  # one read as the parameters came in
                        facts.add(part[1])
                    elif part[0] == "enum":
                        members.add(part[1])
                    elif part[0] == "isinstance":
                        typed.update(isinstance_subjects(part))
            literals = call[5]
            if not literals:
                continue
            for _key, value in literals:
                if not isinstance(value, tuple):
                    continue  # a plain literal
                if value[:1] == (PASSED,):
                    names.add(str(value[1]))
                elif is_tested(value):
                    names |= names_in(tested_guard(value))
            if marks_self(literals):
                names.add(CLASS)  # a call on its own receiver: the class passes on
        for _name, conditions, _line, _in_loop in function.parameters[4]:
            for guard, _value in conditions:  # what decides whether a binding can change a value
                names |= names_in(guard)
                typed.update(subject for part in parts_of(guard) for subject in isinstance_subjects(part))
        found = self._guard_reads[qualname] = GuardReads(
            frozenset(names), frozenset(facts), frozenset(members), frozenset(typed)
        )
        return found

    def with_receiver(
        self, key: str | None, callee: str, literals: tuple[Literal, ...], caller: Mapping[str, object]
    ) -> tuple[Literal, ...]:
        """A method call's arguments, with the exact class of its receiver when it is known
        (receivers.py): built here (the call's arguments hold its construction), or the caller's
        own receiver (``caller``: the caller's values, its class and construction among them)."""
        if not callee.endswith(".__init__") and (not literals or receiver_mark(literals) is None):
            return literals  # no receiver marked, and not a construction: no class (``class_of_call``)
        exact = self.receivers.class_of_call(key, callee, literals, caller.get(CLASS))
        if exact is None:
            return literals
        if (
            receiver_mark(literals) is None
            and not self.self_effects.reads_stores(callee, exact)
            and not self.overridden_in(callee, exact)
        ):
            return literals  # a construction: its class matters only to what init_flow.py follows
        if receiver_mark(literals) == SELF:
            built = tuple((name, value) for name, value in caller.items() if name.startswith(BUILT))
            literals = (*literals, *cast(tuple[Literal, ...], built))
        return (*literals, (CLASS, exact))

    def overridden_in(self, method: str, exact: str) -> bool:
        """Whether ``method`` calls on its own receiver a method that ``exact`` (a subclass it runs
        on) overrides: ``Base.__init__`` calling ``self.setup()`` runs ``Quiet.setup`` in ``Quiet()``."""
        if method.rpartition(".")[0] == exact:
            return False
        for *_where, target, literals, _conditions in self.calls_of(method):
            if marks_self(literals):
                key = self.project.target(target)
                if key is not None and self.dispatched(key, exact) != key:
                    return True
        return False

    def dispatched(self, key: str, exact: object) -> str:
        """The method a call ``self.name()`` runs on an instance of exactly ``exact``: the one its
        MRO gives, when that is another function than the one the call names."""
        if not isinstance(exact, str):
            return key
        found = self.function_for(f"{exact}.{key.rpartition('.')[2]}")
        return found if found is not None and found != self.function_for(key) else key

    def argument_values(self, parameters: Parameters, literals: tuple[Literal, ...]) -> dict[str, object]:
        return argument_values(parameters, literals)

    def parameters_of(self, qualname: str) -> Parameters:
        return self.function(qualname)[1].parameters

    def calls_of(self, qualname: str) -> tuple[FunctionCall, ...]:
        return self.function(qualname)[1].calls

    def decorators_of(self, qualname: str) -> set[str | None]:
        """What a function's decorators are, by qualified name."""
        return {self.project.target(decorator) for decorator in self.function(qualname)[1].decorators}

    def class_order(self, qualname: str) -> tuple[str, ...] | None:
        """The classes after a project class in its MRO (None: not a project class, or no order)."""
        if self.project.class_info(qualname) is None:
            return None
        order = self.project.method_order(qualname)
        return order if isinstance(order, tuple) else None

    def attribute_names(self, qualname: str) -> frozenset[str] | None:
        """The attributes a project class's body or methods assign (None: not a project class)."""
        found = self.project.class_info(qualname)
        return None if found is None else frozenset(found[1].attributes)

    def is_replaced_by_decorator(self, qualname: str) -> bool:
        """Whether a decorator may stand in for the function's own body when it is called
        (anything but ``staticmethod``/``classmethod``/``abstractmethod``)."""
        _display, function = self.function(qualname)
        return any(self.project.target(d) not in TRANSPARENT_DECORATORS for d in function.decorators)

    def blocking_called_with(
        self, qualname: str, literals: tuple[Literal, ...], key: str | None = None
    ) -> Witness | None:
        """``blocking(qualname)`` for a call of ``key`` with these literal arguments; for a call that
        stands for several (``ONE_OF`` arguments), the shortest chain of any of them (the first on
        a tie)."""
        if literals or qualname.endswith(".__init__"):  # else ``with_receiver`` gives them back
            literals = self.with_receiver(key, qualname, literals, {})
        if not literals:  # most calls: one node, nothing to expand (13,000 verdicts on homeassistant)
            return self.blocking(self.specialise(qualname, literals))
        found = None
        for each in expansions(literals):
            witness = self.blocking(self.specialise(qualname, each))
            if witness is not None and (found is None or len(witness.hops) < len(found.hops)):
                found = witness
        return found

    def chain_through_memoised(self, node: str, specialised_by: CallGraph) -> Witness | None:
        """The shortest chain, as an ``LG011`` witness, of ``node`` (specialised in the graph that
        asks, with the same argument values here) when it goes through a memoised helper."""
        self.adopt(node, specialised_by)
        witness = self.shortest_chain(node)
        if witness is None or not self._through_memoised[node]:
            return None
        return Witness(Match(MEMOISED, witness.match.api, None), witness.hops)

    def adopt(self, node: str, specialised_by: CallGraph) -> None:
        """Know ``node`` as the graph that made it does: the function and the argument values."""
        if node in specialised_by.base:
            self.base[node] = specialised_by.base[node]
            self.arguments_of[node] = specialised_by.arguments_of[node]
            if node in specialised_by.facts_of:
                self.facts_of[node] = specialised_by.facts_of[node]

    def chain_through_forms(self, node: str, specialised_by: CallGraph) -> Witness | None:
        """The shortest chain, as an ``LG012`` witness, of ``node`` (specialised in the graph that
        asks, with the same argument values here), which that graph found none for: so it goes
        through a branch for a form of a string."""
        self.adopt(node, specialised_by)
        witness = self.shortest_chain(node)
        if witness is None:
            return None
        return Witness(Match(STRING_FORM, witness.match.api, None), witness.hops)

    def shortest_chain(self, qualname: str) -> Witness | None:
        """The shortest chain by which ``qualname`` blocks, within ``max-depth`` hops, if any; the
        recording in progress (a file's plan) depends on what could change that answer."""
        if qualname not in self.distance:
            self.settle(qualname)
        if self.project.touched is not None:
            self.project.depend(self.depends_on(qualname))
        if qualname not in self._witnesses:
            self._witnesses[qualname] = self.witness(qualname)
        return self._witnesses[qualname]

    def body(self, qualname: str) -> Body:
        """Resolve the calls of ``qualname``'s body once, recording apart the modules read."""
        if qualname not in self.bodies:
            if not self.project.track_reads:  # ``reads`` serve only ``depends_on``: none to record
                self.bodies[qualname] = Body(*self.resolve_body(qualname), 0)
                return self.bodies[qualname]
            found, reads = self.project.read_apart(lambda: self.resolve_body(qualname))
            api, callees = found
            mask = self.module_bit(self.module_of[self.base_of(qualname)])
            for module in reads:
                mask |= self.module_bit(module)
            self.bodies[qualname] = Body(api, callees, mask)
        return self.bodies[qualname]

    def resolve_body(
        self, node: str
    ) -> tuple[tuple[int, int, Match] | None, tuple[tuple[int, int, str], ...]]:
        """The body's first blocking API, else its project callees (nodes: a callee given literals
        that decide its guards is specialised); for a specialised node, calls under a guard its
        values make false are left out."""
        qualname = self.base_of(node)
        arguments = self.arguments_of.get(node)
        _display, function = self.function(qualname)
        known = KnownValues(function.parameters, arguments) if arguments else None
        facts = self.facts_of.get(node, {})
        results = self.loop_values.results_for(qualname, function.calls)  # helpers' values (N7)
        members = self.member_values(qualname)  # enum members (enums.py)
        if members:
            results = {**results, **members}
        callees: list[tuple[int, int, str]] = []
        flow = None
        if arguments:  # what ``self``'s attributes hold, call by call (init_flow.py)
            flow = start_flow(self.self_effects, function.parameters, function.calls, arguments, arguments.get(CLASS))
        ran: FunctionCall | None = None  # the last call that ran, and the nodes made for it
        made: list[tuple[str, Mapping[str, object] | None]] = []
        apis, targets = self._apis, self.project.finished_targets
        warm, offloaded, memoised = self.warm, self.offloaded, self.memoised
        ordered = self._ordered.get(qualname)
        if ordered is None:  # once per function: each node of a function called with literals walks it again
            ordered = self._ordered[qualname] = in_evaluation_order(function.calls)
        for line, col, end_line, end_col, target, literals, conditions in ordered:
            here = known.at(line) if known is not None else None
            if flow is not None:
                if ran is not None:
                    flow.ran(ran, self, made)
                    ran, made = None, []
                here = flow.values(here, line, col)
            if conditions:
                values = {**here, **results} if here else results
                if facts:
                    values = {**values, **facts}
                if not can_run(conditions, values):
                    continue  # this branch does not run for these arguments, or not on the loop
                if not self.through_forms and needs_a_string_form(conditions, values):
                    continue  # only for a form of a string the call does not show (guards.py)
            if flow is not None:
                ran = (line, col, end_line, end_col, target, literals, conditions)
            if target is None or isinstance(target, str):
                key = target
            else:  # ``project.target``'s memo read here
                finished = targets.get(target)
                key = finished[0] if finished is not None and not finished[1] else self.project.target(target)
            if key is None:
                continue  # it names nothing known: neither a blocking API nor a project function
            if arguments and marks_self(literals):
                key = self.dispatched(key, arguments.get(CLASS))  # an override in the exact class
            known_api = apis.get(key)  # ``api_of``'s memo read here: asked for every call of every body
            safe, found = known_api if known_api is not None else self.api_of(key)
            if safe:
                continue  # safe-calls: neither reported nor followed
            if found is not None:
                found = with_arguments(found, literals)
                if found is not None and found.waits:  # a blocking API in this very body: 1 hop
                    return (line, col, found), ()
                continue  # it does not wait with these arguments: no witness, and not a project call
            for callee, with_arguments_of_call in self.callees_for(key):
                if callee in warm or callee in offloaded:
                    continue  # warm, or it runs in a thread
                if callee in memoised and not self.through_memoised:
                    continue  # blocks at most once, not on this chain's code
                if callee != qualname or arguments:  # a specialised node's own calls: other values
                    given = literals if with_arguments_of_call else ()
                    if given and passes_on_values(literals):  # which parameters' types are tested: asked only then
                        given = passed_on(literals, here, self.type_tested(callee), passes=True)
                    if given or callee.endswith(".__init__"):  # else ``with_receiver`` gives them back
                        given = self.with_receiver(key, callee, given, arguments or {})
                    if flow is not None and marks_self(literals):
                        given = flow.given(callee, given, (line, col, end_line, end_col))
                    told = self.facts_for(callee, conditions, literals) if with_arguments_of_call and conditions else None
                    if not given and flow is None:  # one node (``nodes_for``), made without a list
                        callees.append((line, col, self.specialise(callee, given, told)))
                        continue
                    nodes = self.nodes_for(callee, given, told)
                    if len(nodes) == 1:
                        callees.append((line, col, nodes[0]))
                    else:
                        callees.extend((line, col, node) for node in dict.fromkeys(nodes))
                    if flow is not None:
                        made += [(callee, self.arguments_of.get(node)) for node in nodes]
        return None, tuple(callees)

    def nodes_for(self, callee: str, given: tuple[Literal, ...], told: Mapping[str, bool] | None) -> list[str]:
        """The node of each call a call of ``callee`` with ``given`` stands for (``expansions``):
        most calls stand for one, and most of those have no argument that matters."""
        if not given:
            return [self.specialise(callee, given, told)]
        return [self.specialise(callee, each, told) for each in expansions(given)]

    def api_of(self, key: str | None) -> tuple[bool, Match | None]:
        """Whether a call of ``key`` is a configured safe call, and the blocking API it is (before
        its arguments are looked at), asked of the matcher once per key: the bodies planning
        resolves call the same few thousand keys (``self.hass.async_create_task``) again and again."""
        found = self._apis.get(key)
        if found is None:
            found = self._apis[key] = (key is not None and self.matcher.is_safe(key), self.matcher.match(key))
        return found

    def member_values(self, qualname: str) -> dict[str, object]:
        """The literal of each enum member the guards of ``qualname``'s calls compare with, where
        the project knows it (``enums.py``); each body that asks depends on the modules read."""
        found = self._members.get(qualname)
        if found is None:
            members = self.guard_reads(qualname).members
            if not members:  # most functions (homeassistant: all but 40 of 8,200): nothing read
                found = self._members[qualname] = ({}, NOTHING_READ)
                return found[0]
            found = self._members[qualname] = self.project.read_apart(lambda: self.literals_of(members))
        if found[1]:
            self.project.depend(found[1])
        return found[0]

    def literals_of(self, members: frozenset[str]) -> dict[str, object]:
        found: dict[str, object] = {}
        for member in sorted(members):
            value = self.project.imported_constant(member)
            if is_plain_literal(value):
                found[member] = value
        return found

    def settle(self, start: str) -> None:
        """Resolve every body reachable from ``start`` not yet known (through bodies without a
        blocking API: past one, no chain is shorter), and give all of them their distance."""
        region = [start]
        seen = {start}
        for qualname in region:  # grows while it is walked: breadth first, no recursion
            for _line, _col, callee in self.body(qualname).callees:
                if callee not in seen and callee not in self.distance:
                    seen.add(callee)
                    region.append(callee)
        self.distance.update(shortest_distances(region, self.bodies, self.distance, self.max_depth))

    def witness(self, qualname: str) -> Witness | None:
        """The shortest chain, ties broken by call order: from each function, its first call of a
        callee one hop nearer to the blocking API."""
        distance = self.distance[qualname]
        if distance is None:
            return None
        hops = []
        current = qualname
        through_memoised = False
        while True:
            display, _function = self.functions[self.base_of(current)]
            body = self.bodies[current]
            through_memoised = through_memoised or self.base_of(current) in self.memoised
            if body.api is not None:
                line, col, match = body.api
                api = match.api.removeprefix("builtins.")
                hops.append(Hop(display, line, col + 1, short_name(self.base_of(current)), api))
                self._through_memoised[qualname] = through_memoised
                return Witness(match, tuple(hops))
            distance -= 1
            line, col, callee = next(c for c in body.callees if self.distance[c[2]] == distance)
            name, called = short_name(self.base_of(current)), short_name(self.base_of(callee))
            read = self.base_of(callee) in self.properties  # a getter is read, not called
            hops.append(Hop(display, line, col + 1, name, called if read else f"{called}()"))
            current = callee

    def depends_on(self, qualname: str) -> frozenset[str]:
        """The modules whose summaries could change ``qualname``'s answer: those read to resolve
        the bodies within ``radius`` hops, ``radius`` = distance - 1 (max-depth - 1 when it does
        not block).

        Why that is enough: a chain of at most ``distance`` hops only passes through bodies within
        ``distance - 1`` hops, so while they are unchanged no shorter chain can appear, none of
        them can disappear, and the callees' distances that break ties stay the same."""
        if qualname not in self._depends:
            distance = self.distance[qualname]
            radius = (distance if distance is not None else self.max_depth) - 1
            # nothing is further than len(bodies) - 1 hops away: a cap for a huge max-depth
            mask = self.neighbourhood_reads(qualname, min(radius, len(self.bodies) - 1))
            self._depends[qualname] = frozenset(self.modules_in(mask))
        return self._depends[qualname]

    def neighbourhood_reads(self, qualname: str, radius: int) -> int:
        """The ``reads`` of every body within ``radius`` hops of ``qualname``, memoised per
        (function, radius): the neighbourhood of radius r is the body plus its callees' of r - 1.
        Iterative (an explicit stack), so chains of any length need no recursion."""
        memo = self._neighbourhoods
        stack = [(qualname, radius, False)]
        while stack:
            current, reach, ready = stack.pop()
            if (current, reach) in memo:
                continue
            body = self.bodies[current]
            # past a blocking body, nothing is nearer; at radius 0 only the body itself counts
            inner = []
            if reach > 0 and body.api is None:
                inner = [(callee, reach - 1) for _line, _col, callee in body.callees]
            missing = [key for key in inner if key not in memo] if not ready else ()
            if missing:  # merged once they are known (with none missing, at once: no second visit)
                stack.append((current, reach, True))
                stack.extend((c, r, False) for c, r in missing)
                continue
            mask = body.reads
            for key in inner:
                mask |= memo[key]
            memo[(current, reach)] = mask
        return memo[(qualname, radius)]

    def module_bit(self, module: str) -> int:
        """Module sets are bit masks while neighbourhoods are merged: an ``|`` of two ints is far
        cheaper than a set union, and a neighbourhood is merged into every caller's."""
        if module not in self._bits:
            self._bits[module] = 1 << len(self._modules)
            self._modules.append(module)
        return self._bits[module]

    def modules_in(self, mask: int) -> list[str]:
        modules = []
        while mask:
            low = mask & -mask
            modules.append(self._modules[low.bit_length() - 1])
            mask ^= low
        return modules

    def find_loop_functions(
        self, summaries: Iterable[FileSummary], decorators: frozenset[str]
    ) -> frozenset[str]:
        """Sync functions whose bodies run on the loop: decorated with a configured ``loop-decorators``
        entry, or handed to the loop as a callback (``loop.call_soon(f)``, ``fut.add_done_callback(f)``)."""
        found = set()
        for summary in summaries:
            if decorators:
                for qualname, entry in summary.functions.items():
                    # ``FunctionSummary.decorators``, without making one per function
                    if entry[3] and any(self.project.target(d) in decorators for d in entry[3]):
                        found.add(qualname)
            for scheduler, callback in summary.callbacks:
                if self.project.target(scheduler) in LOOP_SCHEDULERS:
                    function_name = self.function_for(self.project.target(callback))
                    if function_name is not None:
                        found.add(function_name)
        return frozenset(found)


def argument_values(
    parameters: Parameters, literals: tuple[Literal, ...], type_tested: Collection[str | int] = (),
    wanted: Collection[str] | None = None,
) -> dict[str, object]:
    """Parameter -> the literal it has for a call with ``literals``: given literally, or left to a
    literal default. A parameter given anything else, or that ``*args``/``**kwargs`` at the call
    may supply, or that the body assigns again, has no known value; but one of ``type_tested``
    given a variable annotated with builtin classes has the type (annotated_types.py). With
    ``wanted``, only the parameters (and fields) it names: each one's value is its own."""
    positional, keyword_only, defaults, bound, _assignments = parameters
    names = positional[1:] if bound else positional
    given: dict[str, object] = {}
    fields: dict[str, object] = {}
    open_ended = False
    for key, value in literals:
        if key == "*":
            open_ended = True
        elif key == "#":  # the first n positional arguments are given (those not listed: not literals)
            count = value if isinstance(value, int) else 0
            for name in names[:count]:
                given.setdefault(name, NOT_LITERAL)
            if count > len(names):
                open_ended = True
        elif isinstance(key, int):
            if key < len(names):
                given[names[key]] = value
            else:
                open_ended = True  # more positional arguments than names: a *args parameter
        elif "." in key:  # a field of the argument (records.py): read as ``parameter.field``
            base, _, field = key.partition(".")
            parameter = names[int(base)] if base.isdigit() and int(base) < len(names) else base
            fields[f"{parameter}.{field}"] = value
        else:
            given[key] = value
    default_of = dict(defaults)
    values: dict[str, object] = {}
    every = (*names, *keyword_only)
    for name in every:
        if wanted is not None and name not in wanted:
            continue
        if name in given:
            argument = given[name]
            if not isinstance(argument, tuple):  # a plain literal: ``instance_of`` gives it back as it is
                values[name] = argument
            elif is_typed(argument):  # not NOT_LITERAL, nor a variable
                values[name] = instance_of(argument)
            elif name in type_tested and (typed := annotated_type(argument)) is not None:
                values[name] = instance_of(typed)  # a variable annotated with builtins
        elif not open_ended and name in default_of:
            default = default_of[name]
            values[name] = instance_of(default) if isinstance(default, tuple) else default
    if fields:
        values.update(
            (name, value) for name, value in fields.items()
            if name.partition(".")[0] in every and (wanted is None or name in wanted)
        )
    return values


def isinstance_subjects(part: object) -> tuple[str, ...]:
    """The name whose type a guard's part tests, when it is ``isinstance(name, ...)``."""
    match part:
        case ("isinstance", ("name", str() as subject), _classes):
            return (subject,)
    return ()


def known_or_not(value: object) -> object:
    """A literal as it is; anything else (a variable, a type) as not a literal."""
    return value if is_plain_literal(value) else NOT_LITERAL


#: How a variable of the caller's (``PASSED``) or a test of its values (``TESTED``) starts
PASSING = ((PASSED,), (TESTED,))


def passes_on_values(literals: tuple[Literal, ...]) -> bool:
    """Whether a call's arguments hold a variable of the caller's or a test of its values (a
    loop, not ``any`` of a generator: asked for each call a body passes arguments to, 50,000
    times planning homeassistant)."""
    for _key, value in literals:
        if isinstance(value, tuple) and value[:1] in PASSING:
            return True
    return False


def passed_on(
    literals: tuple[Literal, ...], arguments: Mapping[str, object] | None, type_tested: Collection[str | int] = (),
    passes: bool = False,
) -> tuple[Literal, ...]:
    """A call's arguments with the caller's variables that are its own parameters with known values
    (``arguments``) replaced by those values; any other variable is not a literal, but one
    annotated with builtin classes and passed to a parameter named in ``type_tested`` (or by a
    position: the callee's ``argument_values`` sees it) has the type (annotated_types.py)."""
    if not passes and not passes_on_values(literals):  # ``passes``: the caller found that they do
        return literals
    known = arguments or {}
    result: list[Literal] = []
    for key, value in literals:
        if is_tested(value):  # a test of the caller's values (flags.py)
            result.append((key, tested_value(value, known)))
        elif isinstance(value, tuple) and value[:1] == (PASSED,):
            # a value the caller knows wins; else the type its annotation gives (annotated_types.py)
            typed = annotated_type(value) if key in type_tested else None
            replaced = recorded(known.get(str(value[1]), typed or NOT_LITERAL))
            if is_plain_literal(replaced) or is_typed(replaced):
                result.append((key, replaced))
            else:
                result.append((key, NOT_LITERAL))
        else:
            result.append((key, value))
    return tuple(result)
