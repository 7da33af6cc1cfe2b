"""What the cache stores, as MessagePack, and the checks every entry passes on its way back in.

The cache lives in the analysed repository, so its files are untrusted input: a pull request can
commit a ``.loopguard_cache`` of its own. Entries are therefore plain data — MessagePack, whose
reader builds nothing but strings, numbers, tuples and dicts (unlike ``pickle``, which runs whatever
an entry says) — and every entry is checked against a *schema* of its whole shape before it is
used: an entry of the wrong shape is a cache miss, exactly like a missing one, and never reaches the
analysis. (MessagePack rather than JSON: its reader gives tuples, which the analysis uses, so an
entry is checked, not rebuilt — a warm run of a large project reads tens of MB of entries.)

A schema here is a function that returns nothing when the value fits and raises ``BadEntry`` on the
first thing that does not. Values the resolver reads (targets, bindings, deferred expressions) are
checked as *trees*: nested tuples whose leaves are strings, integers, booleans or ``None``. A tree
that is well-formed but not one loopguard would write can make the analysis of that repository
wrong, never run code; ``runner.check_jobs`` runs again without the cache if one ever makes it fail.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from loopguard.catalogue import ALL_RULES
from loopguard.models import LIBRARIES, FileResult, Finding, Hop

Schema = Callable[[Any], None]


class BadEntry(ValueError):
    """A cache entry that does not have the shape loopguard writes."""


def _bad(expected: str, value: Any) -> BadEntry:
    return BadEntry(f"expected {expected}, got {type(value).__name__}")


def string(value: Any) -> None:
    if type(value) is not str:
        raise _bad("a string", value)


def integer(value: Any) -> None:
    if type(value) is not int:
        raise _bad("an integer", value)


def boolean(value: Any) -> None:
    if type(value) is not bool:
        raise _bad("a boolean", value)


_LEAVES = frozenset({str, int, bool, type(None)})
_NODES = _LEAVES | {tuple}


def tree(value: Any) -> None:
    """A resolver value: nested tuples of strings, integers, booleans and None. (The cache holds
    millions of leaves: the types of a tuple's items are collected by ``map`` and compared as a set,
    and only nested tuples cost a call.)"""
    if type(value) is not tuple:
        if type(value) not in _LEAVES:
            raise _bad("a resolver value", value)
        return
    kinds = set(map(type, value))
    if kinds <= _LEAVES:
        return
    if not kinds <= _NODES:
        raise BadEntry("unexpected item in a resolver value")
    for item in value:
        if type(item) is tuple:
            tree(item)


def optional(schema: Schema) -> Schema:
    def check(value: Any) -> None:
        if value is not None:
            schema(value)

    return check


def array_of(schema: Schema) -> Schema:
    def check(value: Any) -> None:
        if type(value) is not tuple:
            raise _bad("an array", value)
        for item in value:
            schema(item)

    return check


def record(*fields: Schema) -> Schema:
    """A fixed-length array whose items have the given schemas, in order."""
    size = len(fields)
    # The string and integer fields, most of them, are compared in one step: the types of those
    # items, picked out by an itemgetter, against the expected tuple.
    inline: dict[Schema, type] = {string: str, integer: int}
    plain = [(at, inline.get(schema)) for at, schema in enumerate(fields)]
    positions = [at for at, kind in plain if kind is not None]
    expected = tuple(kind for _, kind in plain if kind is not None)
    pick = itemgetter(*positions) if len(positions) > 1 else (lambda types: tuple(types[p] for p in positions))
    others = [(at, schema) for at, schema in enumerate(fields) if plain[at][1] is None]

    def check(value: Any) -> None:
        if type(value) is not tuple or len(value) != size:
            raise _bad(f"an array of {size} items", value)
        if expected and pick(tuple(map(type, value))) != expected:
            raise BadEntry("a field of the wrong type")
        for at, schema in others:
            schema(value[at])

    return check


def mapping(schema: Schema) -> Schema:
    """A map from strings to values of ``schema``."""

    def check(value: Any) -> None:
        if type(value) is not dict:
            raise _bad("a map", value)
        for key, item in value.items():
            if type(key) is not str:
                raise _bad("a string key", key)
            schema(item)

    return check


def one_of(*allowed: str) -> Schema:
    def check(value: Any) -> None:
        if type(value) is not str or value not in allowed:
            raise BadEntry(f"expected one of {', '.join(allowed)}")

    return check


def rule_code(value: Any) -> None:
    if type(value) is not str or value not in ALL_RULES:
        raise BadEntry("not a rule code")


def packed_entry(value: Any) -> None:
    """An entry as the pack stores it, its own MessagePack bytes: checked when it is used."""
    if type(value) is not bytes:
        raise _bad("an entry's bytes", value)


PACK = mapping(packed_entry)

# -- the manifest: absolute path -> what ``stat`` said when the file's hash was taken --------------
#: (mtime_ns, ctime_ns, size, inode, the content hash's 16 bytes, trusted), packed: one object to read
#: instead of seven. The manifest holds every file of the project; a run over one file looks up a
#: few hundred records, and unpacks those only (``Cache.known_hash``).
MANIFEST_RECORD = struct.Struct("<qqQQ16s?")


def manifest_record(value: Any) -> None:
    if type(value) is not bytes or len(value) != MANIFEST_RECORD.size:
        raise _bad(f"{MANIFEST_RECORD.size} bytes", value)


MANIFEST = mapping(manifest_record)

# -- one file's summary (``summary.encode``) and the LG001 of a file that could not be indexed -----
SPAN = record(integer, integer, integer)
# A call's literal arguments ((position or keyword, value), ...) and guards ((guard, value), ...)
# only ever feed comparisons: they are checked as trees rather than records, which is cheaper over a
# hundred thousand calls, and no shape there can do more than fail a comparison.
LOOP_CALL = record(integer, integer, integer, integer, tree, SPAN, string, boolean, tree)
FUNCTION_CALL = record(integer, integer, integer, integer, tree, tree, tree)
PARAMETERS = tree  # (positional names, keyword-only names, defaults, bound, rebound names)
FUNCTION = record(integer, integer, integer, array_of(tree), array_of(FUNCTION_CALL), PARAMETERS, boolean)
CLASS = record(array_of(tree), mapping(array_of(tree)), array_of(string), array_of(string))
SUMMARY = record(
    string,  # module
    string,  # package
    mapping(array_of(tree)),  # module-level names -> resolved bindings
    mapping(CLASS),
    mapping(record(tree, integer)),  # function returns
    array_of(LOOP_CALL),
    one_of(*LIBRARIES),
    array_of(string),  # imported project names
    mapping(FUNCTION),
    array_of(record(tree, tree)),  # scheduled callbacks
    array_of(tree),  # project callables called at import time
    mapping(tree),  # module constants and project imports (analysis/constants.py)
    record(array_of(string), optional(array_of(string))),  # star imports, public names (analysis/stars.py)
)
FILE_ERROR = record(integer, integer, string)  # line, column, message
SUMMARY_ENTRY = record(optional(SUMMARY), optional(FILE_ERROR))

# -- a file's plan (``plans.encode_plan``) with the modules it read -------------------------------
HOP = record(string, integer, integer, string, string)
CANDIDATE = record(LOOP_CALL, rule_code, string, optional(string), string, string, array_of(HOP))
PLAN = record(array_of(CANDIDATE), array_of(SPAN), one_of(*LIBRARIES), array_of(integer))
PLAN_ENTRY = record(array_of(record(string, string)), optional(PLAN))

# -- findings: the libcst result of one file, and the whole result of a run -----------------------
FINDING = record(
    string, integer, integer, integer, integer, rule_code, string, string, string, string, array_of(HOP),
    string,
)
FINDINGS = array_of(FINDING)
FILE_RESULT = record(string, FINDINGS, boolean)
#: (modules read for context: (absolute path, content hash)), every file's result, and where the
#: modules imported but not found would be (``summaries.still_absent``)
RUN_ENTRY = record(array_of(record(string, string)), array_of(FILE_RESULT), array_of(string))


EncodedHop = tuple[str, int, int, str, str]
#: A finding as ``FINDING`` checks it: its fields in order, the chain's hops as arrays.
EncodedFinding = tuple[str, int, int, int, int, str, str, str, str, str, tuple[EncodedHop, ...], str]
EncodedResult = tuple[str, tuple[EncodedFinding, ...], bool]


def encode_finding(finding: Finding) -> EncodedFinding:
    chain = tuple((hop.path, hop.line, hop.column, hop.function, hop.call) for hop in finding.chain)
    return (
        finding.path, finding.line, finding.column, finding.end_line, finding.end_column, finding.code,
        finding.name, finding.message, finding.suggestion, finding.severity, chain, finding.root,
    )


def decode_finding(value: EncodedFinding) -> Finding:
    """A finding that passed ``FINDING``."""
    path, line, column, end_line, end_column, code, name, message, suggestion, severity, chain, root = value
    return Finding(
        path, line, column, end_line, end_column, code, name, message, suggestion, severity,
        tuple(Hop(*hop) for hop in chain), root=root,
    )


def encode_result(result: FileResult) -> EncodedResult:
    return (result.path, tuple(encode_finding(f) for f in result.findings), result.error)


def decode_result(value: EncodedResult) -> FileResult:
    """A file's result that passed ``FILE_RESULT``."""
    path, findings, error = value
    return FileResult(path, tuple(decode_finding(f) for f in findings), error)

# The fixes planned for one file's findings: (finding index, applicability, message, edits), each
# edit (line, column, end line, end column, new text).
EDIT = record(integer, integer, integer, integer, string)
FIXES_ENTRY = array_of(record(integer, one_of("safe", "unsafe"), string, array_of(EDIT)))
