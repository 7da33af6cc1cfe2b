"""Plain values passed between the pipeline stages.

Everything here is a frozen, slotted dataclass: immutable, hashable and small. Slots do not make
pickling cheaper: a frozen slotted dataclass pickles through the Python-level ``__getstate__`` and
``__setstate__`` that ``dataclasses`` adds, 2-5x slower than an unslotted one (20,000 instances on
Python 3.11). That is affordable here, since a run pickles one ``FileResult`` per file and its few
findings; the values that cross the process pool in bulk are unslotted for that reason. The cache
does not pickle these: ``cache/schema.py`` encodes them field by field.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, TypeGuard

LIBRARIES = ("asyncio", "anyio", "trio")


def library_used(imported_roots: Collection[str]) -> str:
    """The async library a module uses, from its imports (anyio, else trio, else asyncio): the one
    whose API suggestions and fixes name."""
    if "anyio" in imported_roots:
        return "anyio"
    if "trio" in imported_roots:
        return "trio"
    return "asyncio"


#: A literal argument of a call: (position or keyword, value). Only ints, bools, None and short
#: strings are recorded (an integral float counts as its int: ``sleep(0.0)`` is ``sleep(0)``).
Literal = tuple[int | str, "int | bool | str | None | tuple[str, ...]"]
#: The value of a keyword argument that is not a literal (``f(key=x)``); the key ``"*"`` marks
#: ``*args`` or ``**kwargs`` at the call, after which any parameter may be given, and ``("#", n)``
#: says that the first n positional arguments are given (those not listed are not literals).
NOT_LITERAL = ("?",)
#: ``(PASSED, name)``: the argument is the caller's variable ``name`` (``get_secret(secret_name=
#: secret_name)``) — known when the caller is analysed with a literal for it.
PASSED = "="
#: ``(IMPORTED, qualname)``: the argument is the module-level name ``qualname`` of another module,
#: bound there once, as the index resolved its import (``analysis/constants.py``): ``os.WNOHANG``.
IMPORTED = "@"
#: ``(FLAGS, qualname, ...)``: the argument is ``A | B | ...``, names each resolved as for
#: ``IMPORTED`` ("?" when not an import): the flags it includes (``os.WNOHANG | os.WUNTRACED``).
FLAGS = "+"
#: ``(ONE_OF, value, ...)``: the argument is one of these literals (a comprehension's variable over
#: a module's constant table) — the call is each of them in turn.
ONE_OF = "|"
#: ``(TESTED, guard)``: the argument is a test of the caller's parameters (``local_only=not
#: sync_keys``), its guard written as a literal (``analysis/flags.py``)
TESTED = "<test>"
#: A sync function's parameters: (positional names, keyword-only names, literal defaults as
#: (name, value), bound — whether a method call supplies the first positional one, and each
#: assignment to a parameter in the body: where one can run, the parameter's value at a guard
#: after it — or anywhere, when it is in a loop — is not the argument's).
#: An assignment to a parameter in the body: (name, the guards around it, its line, inside a loop).
Rebinding = tuple[str, Any, int, bool]
Parameters = tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, object], ...], bool, tuple[Rebinding, ...]]


@dataclass(frozen=True, slots=True)
class NonWaiting:
    """A call that does not wait when its argument at ``position`` (or passed as ``keyword``)
    equals ``value``: ``lock.acquire(blocking=False)``, ``thread.join(timeout=0)``; with
    ``left_out``, also when that argument is not given (``ftplib.FTP()``). With a
    ``note``, the call is still reported, with the note as its message (``time.sleep(0)`` does not
    wait, but it does not yield to other tasks either)."""

    position: int
    keyword: str
    value: int | bool | str | None
    note: str = ""
    #: whether leaving the argument out counts as ``value``, its default (``ftplib.FTP()`` connects
    #: only when given a host)
    left_out: bool = False
    #: whether any value but ``None`` holds, ``value`` unused (``KafkaProducer(api_version=...)``
    #: does not ask the brokers for their version); ``position`` -1 for a keyword-only argument
    given: bool = False
    #: a library constant (``os.WNOHANG``) that holds when the argument is it or includes it
    #: (``os.WNOHANG | os.WUNTRACED``), ``value`` unused: the name as the index resolved the
    #: argument's import, so ``from os import WNOHANG`` counts and a project's own ``WNOHANG`` not
    flag: str = ""
    #: whether the argument given as an object, not a literal, holds (``httpx.Client(verify=ctx)``
    #: uses that SSL context; ``verify=True`` loads the CA bundle), ``value`` unused
    computed: bool = False

    def holds(self, literals: tuple[Literal, ...]) -> bool:
        if self.left_out and left_out(literals, self.position, self.keyword):
            return True
        return any(key in (self.position, self.keyword) and self.accepts(value) for key, value in literals)

    def accepts(self, value: object) -> bool:
        if self.flag:
            return value == (IMPORTED, self.flag) or includes_flag(value, self.flag)
        if self.computed:
            return is_computed(value)
        return value is not None if self.given else value == self.value


def is_plain_literal(value: object) -> TypeGuard[int | bool | str | None]:
    """Whether a value is one a literal argument can hold as itself: ``None``, a bool, an int or
    a string (not a marker, a type or a tuple)."""
    return value is None or isinstance(value, (bool, int, str))


def is_computed(value: object) -> bool:
    """Whether an argument recorded as ``value`` is an object the call is handed (a name, an
    attribute, a call, an import), not a literal."""
    return value == NOT_LITERAL or (isinstance(value, tuple) and value[:1] in ((PASSED,), (IMPORTED,), (FLAGS,), (TESTED,)))


def includes_flag(value: object, flag: str) -> bool:
    """Whether an argument recorded as ``(FLAGS, ...)`` includes the library constant ``flag``."""
    return isinstance(value, tuple) and value[:1] == (FLAGS,) and flag in value[1:]


def left_out(literals: tuple[Literal, ...], position: int, keyword: str) -> bool:
    """Whether a call with ``literals`` certainly leaves out the parameter at ``position`` (or
    ``keyword``): neither passed, nor possibly given by ``*args``/``**kwargs`` or a positional
    argument that is not a literal."""
    return not any(
        key in (position, keyword)
        or key == "*"
        or (key == "#" and isinstance(value, int) and value > position)
        for key, value in literals
    )


@dataclass(frozen=True, slots=True)
class BuiltAs:
    """What a constructor builds when its argument at ``position`` (or passed as ``keyword``) is
    left out or equals ``value``: an instance of ``variant``, a type of its own whose methods the
    rules list apart (``queue.Queue()`` has no maxsize, so ``put()`` on it never waits). An
    argument that is not a literal, or ``*args``/``**kwargs``, may give anything: not a variant."""

    position: int
    keyword: str
    value: int
    variant: str

    def holds(self, literals: tuple[Literal, ...]) -> bool:
        given = [value for key, value in literals if key in (self.position, self.keyword)]
        if given:
            return all(value is not None and value == self.value for value in given)
        return left_out(literals, self.position, self.keyword)


def built_type(type_name: str) -> str:
    """The type a ``BuiltAs`` variant is an instance of: ``queue.Queue`` for ``queue.Queue[unbounded]``."""
    return type_name.partition("[")[0]


@dataclass(frozen=True, slots=True)
class Rule:
    """One catalogue entry: a family of blocking APIs sharing a code and a replacement.

    ``functions`` are qualified names of callables (``time.sleep``); ``methods`` are
    ``Type.method`` names matched on receivers whose type is known (``requests.Session.get``),
    where ``Type.*`` means every public method of that type except those in ``safe_methods``.
    ``instead`` maps a library (asyncio, anyio, trio) to the replacement; a missing library falls
    back to the asyncio text, so library-neutral advice (``httpx.AsyncClient``) is written once.
    ``example`` and ``use_instead`` are complete modules (imports included): the test suite checks
    that the first gets exactly this rule's code and the second nothing. ``example_config`` is the
    ``pyproject.toml`` both are checked with, when they need one (an opt-in rule's ``select``,
    LG801's ``blocking-calls``).
    """

    code: str
    name: str
    domain: str
    summary: str
    instead: dict[str, str]
    functions: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    safe_methods: tuple[str, ...] = ()
    why: str = ""
    example: str = ""
    use_instead: str = ""
    example_config: str = ""
    #: What the "Fix safety" page section adds to what the fix data below says (why the suggested
    #: replacement is only suggested, say); the section itself is generated from that data.
    fix_safety: str = ""
    default_enabled: bool = True
    #: method or function name (the last part of the API) -> the arguments for which it does not wait
    non_waiting: dict[str, tuple[NonWaiting, ...]] = field(default_factory=dict)
    #: an API that waits by calling another (entering ``with lock:`` acquires it) -> the one that
    #: the suggestion names (``to_thread(threading.Lock.acquire)``, not ``...__enter__``)
    suggest_as: dict[str, str] = field(default_factory=dict)
    #: API -> the safe rewrite of its calls, a name in ``fixdata.REWRITES`` (``"time.sleep":
    #: "async-sleep"``); its other APIs get the thread fix, when ``thread_fix`` allows it
    safe_fixes: dict[str, str] = field(default_factory=dict)
    #: whether a call of this rule's APIs, or of a helper that reaches one, may be moved to a worker
    #: thread as an unsafe fix (``await asyncio.to_thread(f, ...)``)
    thread_fix: bool = True
    #: APIs whose result does the waiting later, when it is used (``Executor.map`` returns an
    #: iterator that waits): moving the call itself to a thread would move nothing
    lazy_results: tuple[str, ...] = ()

    def suggestion(self, library: str) -> str:
        return self.instead.get(library) or self.instead["asyncio"]

    def does_not_wait(self, api: str, literals: tuple[Literal, ...]) -> NonWaiting | None:
        """The condition under which ``api`` called with ``literals`` does not wait, if one holds."""
        if not self.non_waiting:
            return None
        conditions = self.non_waiting.get(api.rpartition(".")[2], ())
        return next((condition for condition in conditions if condition.holds(literals)), None)


@dataclass(frozen=True, slots=True)
class Hop:
    """One step of a transitive chain, from the coroutine's call site down to the blocking call."""

    path: str
    line: int
    column: int
    function: str
    call: str


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text from (line, column) up to (end_line, end_column) by ``content``: lines and
    columns 1-based, columns in characters, the end exclusive (ruff's edit; an insertion has
    start == end)."""

    line: int
    column: int
    end_line: int
    end_column: int
    content: str


SAFE, UNSAFE = "safe", "unsafe"


@dataclass(frozen=True, slots=True)
class Fix:
    """An available fix of one finding: ``applicability`` is ``SAFE`` (the code does the same, on
    the loop's terms) or ``UNSAFE`` (the behaviour moves, e.g. into a thread)."""

    applicability: str
    message: str
    edits: tuple[Edit, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    """A reported problem; lines and columns are 1-based, ``end_column`` is exclusive."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    name: str
    message: str
    suggestion: str = ""
    severity: str = "error"
    chain: tuple[Hop, ...] = ()
    fix: Fix | None = None
    #: The blocking call at the bottom, as "path:line api" — the same for every finding that goes
    #: through it, so one fix there clears them all (``--statistics``, the summary line).
    root: str = ""

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)


@dataclass(frozen=True, slots=True)
class FileResult:
    """What checking one file produced: findings, and whether the file could be checked at all."""

    path: str
    findings: tuple[Finding, ...] = ()
    error: bool = False
