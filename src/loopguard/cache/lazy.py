"""Context summaries read from the cache with their bulky parts left packed until they are used.

A run over one file (an editor, a per-file hook) reads the summaries of every project module the
file imports, transitively: 160 modules and 2.2 MB of MessagePack for one homeassistant file.
Unpacking all of it was the largest part of such a run, yet the run uses little of it. Following
the imports needs each module's imports, and the call graph every module's functions; a module's
*names* (its resolved bindings, classes, return annotations and constants) are read only when a
name is followed into that module, and a context module's *calls on the loop* never (context
modules are not reported on). So those two parts are skipped over (MessagePack can be walked
without building anything) and unpacked on first use, from the entry's bytes.

Only entries this user's key signed are read this way: what this code wrote needs no schema check,
while an unsigned entry is checked as a whole before anything of it is used (``Cache.get``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import msgpack

from loopguard.analysis.index import ModuleIndex
from loopguard.analysis.summary import EncodedSummary, FileSummary, LoopCallFields, decode
from loopguard.cache.store import refuse_extension, unpack

#: Where an object is packed in a payload: (start, end) offsets.
Offsets = tuple[int, int]

#: The first bytes of a summary entry that holds a summary: an array of two (summary, error) whose
#: first item is an array of 13 (``summary.encode``). Anything else is read the ordinary way.
SUMMARY_HEAD = b"\x92\x9d"


class LazySummary(FileSummary):
    """A ``FileSummary`` whose ``names`` and ``calls`` are unpacked from ``payload`` when first read
    (``names_at``: where its exports, classes, function returns, constants and star imports are
    packed)."""

    def __init__(
        self,
        payload: bytes,
        head: tuple[str, str, str, frozenset[str], dict[str, Any], tuple[Any, ...], tuple[Any, ...]],
        names_at: tuple[Offsets, Offsets, Offsets, Offsets, Offsets],
        calls_at: Offsets,
    ) -> None:
        # not the dataclass's __init__: it would assign ``names`` and ``calls``
        (
            self.module, self.package, self.library, self.imports, self.functions, self.callbacks,
            self.import_calls,
        ) = head
        self._payload = payload
        self._names_at = names_at
        self._calls_at = calls_at
        self._names: ModuleIndex | None = None
        self._calls: tuple[LoopCallFields, ...] | None = None

    @property
    def names(self) -> ModuleIndex:
        if self._names is None:
            exports, classes, returns, constants, stars = (self.unpacked(at) for at in self._names_at)
            encoded: EncodedSummary = (
                self.module, self.package, exports, classes, returns, (), self.library, (), {}, (), (),
                constants, stars,
            )
            self._names = decode(encoded).names  # the names part of a whole summary's decoding
        return self._names

    @names.setter
    def names(self, value: ModuleIndex) -> None:
        self._names = value

    @property
    def calls(self) -> tuple[LoopCallFields, ...]:
        if self._calls is None:
            self._calls = self.unpacked(self._calls_at)
        return self._calls

    @calls.setter
    def calls(self, value: tuple[LoopCallFields, ...]) -> None:
        self._calls = value

    def unpacked(self, offsets: Offsets) -> Any:
        """The object packed at ``offsets`` of the payload (read in place: no copy of the bytes)."""
        start, end = offsets
        return unpack(memoryview(self._payload)[start:end])

    def __reduce__(self) -> tuple[type[FileSummary], tuple[Any, ...]]:
        """Pickled as the plain ``FileSummary`` it stands for."""
        return FileSummary, (
            self.module, self.package, self.names, self.calls, self.library, self.imports, self.functions,
            self.callbacks, self.import_calls,
        )


def unpacker(data: bytes) -> msgpack.Unpacker:
    """Reads ``data`` as ``store.unpack`` does: arrays as tuples, maps with string keys."""
    reader = msgpack.Unpacker(
        None, use_list=False, raw=False, strict_map_key=True, ext_hook=refuse_extension,
        max_buffer_size=max(len(data), 1),
    )
    reader.feed(data)
    return reader


def skipped(reader: msgpack.Unpacker) -> Offsets:
    """Walk over the next object without building it; where it starts and ends."""
    start = reader.tell()
    reader.skip()
    return start, reader.tell()


def lazy_summary(payload: bytes) -> FileSummary | None:
    """The summary in a signed summary entry's payload, its names and calls left packed; None when
    the entry holds none (an LG001 entry: read the ordinary way) or is not what this code writes."""
    if not payload.startswith(SUMMARY_HEAD):
        return None
    reader = unpacker(payload)
    try:
        reader.read_array_header()
        reader.read_array_header()
        module, package = reader.unpack(), reader.unpack()
        exports_at, classes_at, returns_at = skipped(reader), skipped(reader), skipped(reader)
        calls_at = skipped(reader)
        library, imports, functions, callbacks, import_calls = (reader.unpack() for _ in range(5))
        constants_at, stars_at = skipped(reader), skipped(reader)
        error = reader.unpack()
    except (ValueError, TypeError, msgpack.OutOfData, msgpack.ExtraData):
        return None
    if error is not None or reader.tell() != len(payload):
        return None
    head = (module, package, library, frozenset(imports), functions, callbacks, import_calls)
    names_at = (exports_at, classes_at, returns_at, constants_at, stars_at)
    return LazySummary(payload, head, names_at, calls_at)


class ModuleNames(Mapping[str, ModuleIndex]):
    """module -> its ``names``, asked of its summary only when the project looks into the module
    (``GlobalProject.modules``): a lazy summary stays packed until then."""

    def __init__(self, summaries: Mapping[str, FileSummary]) -> None:
        self.summaries = summaries

    def __getitem__(self, module: str) -> ModuleIndex:
        return self.summaries[module].names

    def __contains__(self, module: object) -> bool:
        return module in self.summaries

    def __iter__(self) -> Iterator[str]:
        return iter(self.summaries)

    def __len__(self) -> int:
        return len(self.summaries)

