"""Which sync project functions block, and the chain down to the blocking call that proves it.

A sync function blocks when its own body calls a blocking API, or calls a project function that
blocks — on any path, up to ``max-depth`` calls deep. Calls are resolved with the same rules as
everywhere else: a method call links only through a receiver whose project class is known (and then
through that class's project bases, in order), never by the method's name alone, so two classes
with a ``set_volume`` method are never confused. A function passed *by reference* — to
``asyncio.to_thread``, an executor, a configured offload helper — is not a call and creates no edge,
so off-loop helpers stay silent; a helper only ever called from sync code is never reported, because
findings are only made at call sites on the loop.

Each function's answer is computed once (memoised); a function on the current path counts as not
blocking, so recursion and cycles between modules terminate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from loopguard.match import Match, Matcher
from loopguard.models import Hop
from loopguard.summary import FileSummary, FunctionSummary
from loopguard.world import GlobalProject

#: Where a sync callback is scheduled to run on the event loop.
LOOP_SCHEDULERS = frozenset(
    [
        f"asyncio.AbstractEventLoop.{method}"
        for method in (
            "call_soon", "call_soon_threadsafe", "call_later", "call_at", "add_reader", "add_writer",
            "add_signal_handler",
        )
    ]
    + ["asyncio.Future.add_done_callback", "asyncio.Task.add_done_callback"]
)


@dataclass(frozen=True, slots=True)
class Witness:
    """Why a function blocks: the API at the end, and the hops from its body down to that call."""

    match: Match
    hops: tuple[Hop, ...]


def short_name(qualname: str) -> str:
    """``app.clients.AvatarClient.fetch`` -> ``AvatarClient.fetch`` (module path dropped)."""
    parts = [p for p in qualname.split(".") if p != "<locals>"]
    is_class = len(parts) >= 2 and parts[-2].lstrip("_")[:1].isupper()  # also _PrivateClass
    return ".".join(parts[-2:]) if is_class else parts[-1]


class CallGraph:
    def __init__(
        self,
        summaries: Mapping[str, tuple[str, FileSummary]],
        project: GlobalProject,
        matcher: Matcher,
        max_depth: int,
    ) -> None:
        """``summaries``: module -> (display path, summary), for every module read."""
        self.project = project
        self.matcher = matcher
        self.max_depth = max_depth
        self.functions: dict[str, tuple[str, tuple[object, ...]]] = {}
        self.module_of: dict[str, str] = {}
        for display, summary in summaries.values():
            for qualname, function in summary.functions.items():
                if qualname not in self.functions:
                    self.functions[qualname] = (display, function)
                    self.module_of[qualname] = summary.module
        self._memo: dict[str, tuple[Witness | None, frozenset[str]]] = {}
        self._active: set[str] = set()
        self.loop_functions: frozenset[str] = frozenset()  # see find_loop_functions

    def function_for(self, key: str | None) -> str | None:
        """The project function a call key names: directly, or a method found in a project base."""
        if key is None:
            return None
        if key in self.functions:
            self.project.depend((self.module_of[key],))
            return key
        owner, _, name = key.rpartition(".")
        if not owner or self.project.class_info(owner) is None:
            return None
        resolver = self.project.resolver_for_replay
        member = resolver.member(owner, name, set())
        if member is not None and member[0] == "method":
            found = f"{member[1]}.{name}"
            if found in self.functions:
                self.project.depend((self.module_of[found],))
                return found
        return None

    def function(self, qualname: str) -> tuple[str, FunctionSummary]:
        display, entry = self.functions[qualname]
        return display, FunctionSummary(*entry)  # type: ignore[arg-type]

    def blocking(self, qualname: str) -> Witness | None:
        if qualname in self._memo:
            witness, used = self._memo[qualname]
            self.project.depend(used)
            return witness
        if qualname in self._active:
            return None  # recursion: this path adds nothing new
        self._active.add(qualname)
        outer = self.project.recording()
        try:
            self.project.depend((self.module_of[qualname],))
            witness = self.find_witness(qualname)
        finally:
            self._active.discard(qualname)
            used = self.project.recorded(outer)
        self._memo[qualname] = (witness, used)
        return witness

    def find_witness(self, qualname: str) -> Witness | None:
        display, function = self.function(qualname)
        name = short_name(qualname)
        callees = []
        for line, col, _end_line, _end_col, target in function.calls:
            key = self.project.target(target)
            if key is not None and self.matcher.is_safe(key):
                continue  # safe-calls: neither reported nor followed
            found = self.matcher.match(key)
            if found is not None:  # a blocking API in this very body: the shortest witness
                api = found.api.removeprefix("builtins.")
                return Witness(found, (Hop(display, line, col + 1, name, api),))
            callee = self.function_for(key)
            if callee is not None and callee != qualname:
                callees.append((line, col, callee))
        for line, col, callee in callees:
            deeper = self.blocking(callee)
            if deeper is not None and len(deeper.hops) < self.max_depth:
                hop = Hop(display, line, col + 1, name, f"{short_name(callee)}()")
                return Witness(deeper.match, (hop, *deeper.hops))
        return None

    def find_loop_functions(
        self, summaries: Iterable[FileSummary], decorators: frozenset[str]
    ) -> frozenset[str]:
        """Sync functions whose bodies run on the loop: decorated with a configured ``loop-decorators``
        entry, or handed to the loop as a callback (``loop.call_soon(f)``, ``fut.add_done_callback(f)``)."""
        found = set()
        for summary in summaries:
            if decorators:
                for qualname, entry in summary.functions.items():
                    function = FunctionSummary(*entry)
                    if any(self.project.target(d) in decorators for d in function.decorators):
                        found.add(qualname)
            for scheduler, callback in summary.callbacks:
                if self.project.target(scheduler) in LOOP_SCHEDULERS:
                    function_name = self.function_for(self.project.target(callback))
                    if function_name is not None:
                        found.add(function_name)
        return frozenset(found)
