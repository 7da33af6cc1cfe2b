"""The project stage with a memory: a file's plan is reused while nothing it depended on has changed.

Planning a file (matching its calls, finishing deferred names, following helpers) reads other
modules' summaries. While planning, ``GlobalProject`` records which modules it read; the cached plan
stores their content hashes. On the next run the plan is reused when the file and every module it
read are byte-for-byte the same — so editing one helper re-plans only the files that reach it. The
key also covers the set of modules in the project (a new module can change how a name resolves),
the loop functions, the configuration and the working directory (chains hold display paths).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping

from loopguard.analysis.match import Match
from loopguard.analysis.project import GlobalProject
from loopguard.analysis.stages import Candidate, Confirmation, Indexed, Settings, plan_confirmation
from loopguard.analysis.summary import LoopCall, LoopCallFields, Span
from loopguard.analysis.transitive import CallGraph
from loopguard.cache.schema import PLAN_ENTRY
from loopguard.cache.store import Cache, entry_key
from loopguard.catalogue import ALL_RULES
from loopguard.models import Hop

#: A candidate as stored: (call, rule code, api, suggestion, note, via, chain of hops).
EncodedCandidate = tuple[
    LoopCallFields, str, str, str | None, str, str, tuple[tuple[str, int, int, str, str], ...]
]
#: A plan as stored: (candidates, coroutine spans, library, def lines of loop functions).
EncodedPlan = tuple[tuple[EncodedCandidate, ...], tuple[Span, ...], str, tuple[int, ...]]


def encode_plan(plan: Confirmation | None) -> EncodedPlan | None:
    if plan is None:
        return None
    candidates = tuple(
        (
            c.call, c.match.rule.code, c.match.api, c.match.suggestion, c.match.note, c.via,
            tuple((h.path, h.line, h.column, h.function, h.call) for h in c.chain),
        )
        for c in plan.candidates
    )
    return (candidates, plan.spans, plan.library, tuple(sorted(plan.loop_defs)))


def decode_plan(data: EncodedPlan | None, item: Indexed) -> Confirmation | None:
    """A plan that passed ``schema.PLAN`` back into a ``Confirmation``."""
    if data is None:
        return None
    encoded, spans, library, loop_defs = data
    candidates = tuple(
        Candidate(
            LoopCall._make(call), Match(ALL_RULES[code], api, suggestion, note), via, tuple(Hop(*h) for h in chain)
        )
        for call, code, api, suggestion, note, via, chain in encoded
    )
    return Confirmation(item.path, item.display, candidates, spans, library, item.source, frozenset(loop_defs))


class Planner:
    def __init__(
        self,
        cache: Cache | None,
        project: GlobalProject,
        graph: CallGraph,
        settings: Settings,
        digests: Mapping[str, str],
    ) -> None:
        """``digests``: module -> content hash of its file, for every module of the run."""
        self.cache = cache
        self.project = project
        self.graph = graph
        self.settings = settings
        self.digests = digests
        shape = hashlib.blake2b(digest_size=16)
        # what every plan may depend on: which modules exist, which functions run on the loop or
        # are warmed at import, and where paths are shown from
        parts = (*sorted(digests), "\0", *sorted(graph.loop_functions), "\0", *sorted(graph.warm), os.getcwd())
        for part in parts:
            shape.update(part.encode() + b"\0")
        self.shape = shape.hexdigest()
        self.fingerprint = settings.config.fingerprint()

    def plan(self, item: Indexed) -> Confirmation | None:
        summary = item.summary
        digest = self.digests.get(summary.module) if summary is not None else None
        if self.cache is None or summary is None or digest is None or item.source is not None:
            return plan_confirmation(item, self.project, self.graph, self.settings)
        key = entry_key("plan", digest, summary.module, item.relative, self.fingerprint, self.shape)
        cached = self.cache.get(key, PLAN_ENTRY)
        if cached is not None and self.unchanged(cached[0]):
            return decode_plan(cached[1], item)
        outer = self.project.recording()
        try:
            plan = plan_confirmation(item, self.project, self.graph, self.settings)
        finally:
            used = self.project.recorded(outer) | {summary.module}
        depends = tuple([(module, self.digests.get(module, "")) for module in sorted(used)])
        self.cache.put(key, (depends, encode_plan(plan)))
        return plan

    def unchanged(self, depends: tuple[tuple[str, str], ...]) -> bool:
        return all(self.digests.get(module) == digest for module, digest in depends)
