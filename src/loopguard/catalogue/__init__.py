"""The built-in catalogue: every blocking API loopguard knows, as data.

Each domain module defines ``RULES`` (catalogue entries), and may define:

* ``RETURNS``: what calling a callable or method returns, so receivers can be typed
  (``"sqlite3.connect": "sqlite3.Connection"``); special keys ``Type.__call__``,
  ``Type.__getitem__``, ``Type.__enter__``, ``Type.__truediv__`` type those operations;
* ``ATTRIBUTES``: what *reading* an attribute gives (``"openai.OpenAI.chat"``,
  ``"django.db.models.Model.objects"``); ``Type.*`` types every attribute read off ``Type``
  (``client.mydb`` on a ``MongoClient``) but never a called one (``client.close()`` stays a method);
* ``ALIASES``: other import paths of the same object, mapped to the name the rules use;
* ``FILE_TYPES`` / ``FILE_READERS``: file-object types, and functions that only read when their first
  argument is one (``yaml.safe_load(fh)``, but not ``yaml.safe_load(text)``);
* ``BUFFER_READERS``: functions that do no I/O when their first argument is an in-memory buffer of
  the types given (``PIL.Image.open(io.BytesIO(data))``);
* ``BUILT_ON``: constructors whose object, built on an in-memory buffer, is a variant type that
  keeps its data in memory (``zipfile.ZipFile(io.BytesIO(), "w")``);
* ``BUILT_AS``: constructors that build a type of their own for some arguments (``queue.Queue()``
  without a maxsize never fills), as ``models.BuiltAs`` conditions;
* ``LOOP_SCHEDULERS``: methods that run a sync callback on the event loop, and the position of the
  callback argument (``loop.call_later(delay, callback)``);
* ``NONBLOCKING_SWITCHES``: calls that switch an object to non-blocking mode, and the argument that
  does it (``sock.setblocking(False)``).
* ``SETTLED_WHEN_DONE``: types whose blocking methods return at once where ``x.done()`` is true
  (a done ``concurrent.futures.Future``), and the type ``x`` has there;
* ``COVERED_BY_MAKER``: types whose methods are reported at the call that made the object when that
  call is reported in the same function (``with open(p) as f: f.read()`` is one finding, at ``open``).

Python's own builtins and decorators are described in ``language.py``, the decorators that memoise
or offload a function below. The index and the resolver read only these tables (and the ones derived
from them at the end of this module): adding a blocking API of any shape is an entry here, a fixture
line and a regenerated doc page — never code in the checker (docs/catalogue.md shows each shape).

Codes are grouped by domain (LG1 waiting, LG2 network, LG3 cloud, LG4 databases, LG5 files with LG50
contents / LG51 filesystem, LG6 processes, LG7 hidden I/O, LG9 CPU, opt-in) so
``ignore = ["LG5"]`` switches a whole domain off.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from loopguard.catalogue import (
    azure,
    cloud,
    cpu,
    databases,
    django_orm,
    files,
    filesystem,
    gcloud,
    hidden_io,
    llm,
    network,
    nosql,
    parsing,
    processes,
    protocols,
    sockets,
    sql,
    waiting,
)
from loopguard.catalogue.advice import in_a_thread
from loopguard.catalogue.language import CONSUMERS, TRANSPARENT_DECORATORS
from loopguard.catalogue.parsing import IN_MEMORY
from loopguard.catalogue.sockets import NONBLOCKING_TYPE
from loopguard.models import LIBRARIES, BuiltAs, Rule

_DOMAINS = (
    waiting,
    network, sockets, protocols, llm,
    cloud, gcloud, azure,
    databases, sql, nosql, django_orm,
    files, filesystem,
    processes,
    hidden_io, parsing,
    cpu,
)

#: Codes that are not catalogue entries but findings of the tool itself.
FILE_ERROR = Rule(
    code="LG001",
    name="file-error",
    domain="tool",
    summary="A file could not be read or parsed, so it was not checked.",
    instead={"asyncio": ""},
    why="A file loopguard cannot parse is a file nobody checked; the run exits with status 2.",
    example=(
        "import asyncio\n\n\n"
        "async def poll():\n"
        "    await asyncio.sleep(1"
    ),
    use_instead=(
        "import asyncio\n\n\n"
        "async def poll():\n"
        "    await asyncio.sleep(1)"
    ),
    fix_safety="Fix the syntax error or the file's encoding.",
    thread_fix=False,
)
CONFIGURED = Rule(
    code="LG801",
    name="configured-blocking-call",
    domain="configured",
    summary="A call listed in `[tool.loopguard.blocking-calls]` of the project's configuration.",
    instead={library: in_a_thread(library, "f") for library in LIBRARIES},
    why="The project declared this call blocking; it runs on the event loop here.",
    example=(
        "import vendor_sdk\n\n\n"
        "async def fetch(key):\n"
        "    client = vendor_sdk.Client()\n"
        "    return client.download(key)"
    ),
    use_instead=(
        "import vendor_sdk\n\n\n"
        "async def fetch(key):\n"
        "    client = vendor_sdk.AsyncClient()\n"
        "    return await client.download(key)"
    ),
    example_config=(
        "[tool.loopguard.blocking-calls]\n"
        '"vendor_sdk.Client.download" = "vendor_sdk.AsyncClient.download"'
    ),
)

MEMOISED = Rule(
    code="LG011",
    name="memoised-blocking-call",
    domain="chains",
    summary=(
        "A coroutine calls a memoised sync helper (`functools.cache`, `functools.lru_cache`, or a "
        "getter that fills a module global once: `global g; if g is None: g = ...`) whose chain "
        "reaches a blocking call: it blocks the first time only, once per process (per argument "
        "set). Not reported at all when the helper is called at import time."
    ),
    instead={
        "asyncio": "warm it off the loop once at startup (`await asyncio.to_thread(f)`), "
        "or accept the one-time cost",
        "anyio": "warm it off the loop once at startup (`await anyio.to_thread.run_sync(f)`), "
        "or accept the one-time cost",
        "trio": "warm it off the loop once at startup (`await trio.to_thread.run_sync(f)`), "
        "or accept the one-time cost",
    },
    why=(
        "The blocking call runs on the event loop once, on the first call; every later call returns "
        "the memoised value. Whether one stall at first use matters depends on the program, so this "
        "code is off by default, and such chains are never reported under the blocking call's own "
        "code."
    ),
    example=(
        "import functools\n"
        "import ssl\n\n\n"
        "@functools.cache\n"
        "def client_context():\n"
        "    return ssl.create_default_context()\n\n\n"
        "async def connect():\n"
        "    return client_context()"
    ),
    use_instead=(
        "import functools\n"
        "import ssl\n\n\n"
        "@functools.cache\n"
        "def client_context():\n"
        "    return ssl.create_default_context()\n\n\n"
        "client_context()  # warmed at import\n\n\n"
        "async def connect():\n"
        "    return client_context()"
    ),
    example_config=(
        "[tool.loopguard]\n"
        'select = ["LG", "LG011"]'
    ),
    default_enabled=False,
    thread_fix=False,
)
#: LG012's example: a helper that reads the file an "@path" names.
_LOAD_SOURCE = (
        "def load(source):\n"
        "    if source.startswith(\"@\"):  # \"@path\": the text of that file\n"
        "        with open(source.removeprefix(\"@\")) as f:\n"
        "            return f.read()\n"
        "    return source\n\n\n"
)
STRING_FORM = Rule(
    code="LG012",
    name="string-form-blocking-call",
    domain="chains",
    summary=(
        "A coroutine calls a sync helper whose chain reaches a blocking call only in a branch taken "
        "when a string the call does not show starts with a literal (`if name.startswith(\"oidc/\"):`, "
        "`if not data.startswith(\"@\"): return`). Such chains are never reported under the "
        "blocking call's own code. URL schemes (`\"https://\"`, `\"http\"`), suffix and substring "
        "tests are not forms: their branches are followed as usual."
    ),
    instead={
        "asyncio": "give the branch for that form of the string an async path, or call the "
        "helper off the loop (`await asyncio.to_thread(f, ...)`) when that form can reach it",
        "anyio": "give the branch for that form of the string an async path, or call the "
        "helper off the loop (`await anyio.to_thread.run_sync(f, ...)`) when that form can reach it",
        "trio": "give the branch for that form of the string an async path, or call the "
        "helper off the loop (`await trio.to_thread.run_sync(f, ...)`) when that form can reach it",
    },
    why=(
        "A prefix like `oidc/` or `@` marks a value of a special kind: a reference to another "
        "source, which the branch resolves. When the call gives the helper a value loopguard "
        "cannot see, assuming it has that form would report every call of a dispatching helper "
        "for the one form that blocks (on litellm, most of the 101 findings through its "
        "`get_secret` were for names that never start with `oidc/`). A literal, or a name bound "
        "to one, decides the test, and those calls are reported under the blocking call's code; "
        "the undecided ones are reported here, off by default. As with `LG011`, only chains to "
        "blocking calls whose own code is selected are reported."
    ),
    example=_LOAD_SOURCE + "async def handle(source):\n    return load(source)",
    use_instead=(
        "import asyncio\n\n\n" + _LOAD_SOURCE
        + "async def handle(source):\n    return await asyncio.to_thread(load, source)"
    ),
    example_config=(
        "[tool.loopguard]\n"
        'select = ["LG", "LG012"]'
    ),
    default_enabled=False,
    thread_fix=False,
)
UNUSED_NOQA = Rule(
    code="LG021",
    name="unused-noqa",
    domain="tool",
    summary=(
        "A `# noqa` comment names a loopguard code that silences nothing on its line (unused), matches "
        "no rule (unknown) or is listed twice. Other tools' codes and a bare `# noqa` are never judged."
    ),
    instead={"asyncio": ""},
    why=(
        "A noqa comment outlives the call it was written for: once the blocking call is fixed or "
        "moved, the comment silently hides the next problem on that line. Codes that are not enabled "
        "for the file (`--select`, `ignore`, `per-file-ignores`, an opt-in rule not selected) are "
        "not judged: the run could not have found what they silence. Off by default, as ruff's "
        "RUF100 is."
    ),
    example=(
        "import asyncio\n\n\n"
        "async def poll():\n"
        "    await asyncio.sleep(1)  # noqa: LG101"
    ),
    use_instead=(
        "import asyncio\n\n\n"
        "async def poll():\n"
        "    await asyncio.sleep(1)"
    ),
    example_config=(
        "[tool.loopguard]\n"
        'select = ["LG", "LG021"]'
    ),
    fix_safety="No automatic fix yet: remove the codes the message names from the comment.",
    default_enabled=False,
    thread_fix=False,
)
#: Decorators after which a function's body runs at most once per argument set.
#: (``functools.cached_property`` runs its getter once per instance: a memoised helper too.)
MEMOISERS = frozenset({"functools.cache", "functools.lru_cache", "functools.cached_property"})
#: Decorators that make a method a property: reading the attribute calls it.
PROPERTY_DECORATORS = frozenset({"builtins.property", "functools.cached_property"})
#: Decorators that move a sync function off the loop: calling it starts a thread (textual's
#: ``@work(thread=True)``, the only way ``@work`` takes a sync function) or returns a coroutine
#: that runs the body in one (asgiref's ``sync_to_async``, asyncer's ``asyncify``).
OFFLOADING_DECORATORS = frozenset({
    "textual.work", "textual.worker.work", "asgiref.sync.sync_to_async", "asyncer.asyncify",
})


def _collected(table: str) -> dict[str, Any]:
    """One table of every domain module that defines it, merged."""
    return {key: value for domain in _DOMAINS for key, value in getattr(domain, table, {}).items()}


def _by_last_name(table: Mapping[str, Any], what: str) -> dict[str, Any]:
    """``{"asyncio.AbstractEventLoop.call_later": 1}`` -> ``{"call_later": 1}``: for the index,
    which records such calls by name before any type is known. Entries of one name must agree."""
    found: dict[str, Any] = {}
    for qualname, value in table.items():
        name = qualname.rpartition(".")[2]
        if found.setdefault(name, value) != value:
            disagreeing = f"{found[name]!r}, {value!r}"
            raise ValueError(f"catalogue: the {what} named {name!r} disagree ({disagreeing})")
    return found


def _last_names(qualnames: Iterable[str], aliases: Mapping[str, str]) -> frozenset[str]:
    """The last names of ``qualnames`` and of every other import path of them (``ALIASES``)."""
    wanted = set(qualnames)
    other_paths = (alias for alias, real in aliases.items() if real in wanted)
    return frozenset(name.rpartition(".")[2] for name in (*wanted, *other_paths))


RULES: tuple[Rule, ...] = tuple(
    sorted((rule for domain in _DOMAINS for rule in domain.RULES), key=lambda rule: rule.code)
)
RETURNS: dict[str, str] = _collected("RETURNS")
ALIASES: dict[str, str] = _collected("ALIASES")
ATTRIBUTES: dict[str, str] = _collected("ATTRIBUTES")
FILE_READERS: frozenset[str] = frozenset(r for domain in _DOMAINS for r in getattr(domain, "FILE_READERS", ()))
FILE_TYPES: frozenset[str] = frozenset(t for domain in _DOMAINS for t in getattr(domain, "FILE_TYPES", ()))
BUFFER_READERS: dict[str, tuple[str, ...]] = _collected("BUFFER_READERS")
BUILT_AS: dict[str, BuiltAs] = _collected("BUILT_AS")
BUILT_ON: dict[str, tuple[str, ...]] = _collected("BUILT_ON")
LOOP_SCHEDULERS: dict[str, int] = _collected("LOOP_SCHEDULERS")
NONBLOCKING_SWITCHES: dict[str, object] = _collected("NONBLOCKING_SWITCHES")
COVERED_BY_MAKER: dict[str, tuple[str, ...]] = _collected("COVERED_BY_MAKER")
SETTLED_WHEN_DONE: dict[str, str] = _collected("SETTLED_WHEN_DONE")
ITERATED_AS: dict[str, str] = _collected("ITERATED_AS")
ALL_RULES: dict[str, Rule] = {
    rule.code: rule for rule in (FILE_ERROR, MEMOISED, STRING_FORM, UNUSED_NOQA, *RULES, CONFIGURED)
}

# -- derived for the index, which records calls by name before it knows what they are ------------
#: Callees whose first argument is recorded with the call, since what they do depends on it: the
#: consumers (``list(queryset)``), the file readers (``yaml.safe_load(fh)``) and the buffer readers
#: (``Image.open(io.BytesIO(data))``).
ARGUMENT_TAKERS: frozenset[str] = _last_names((*CONSUMERS, *FILE_READERS, *BUFFER_READERS), ALIASES)
#: The last names of the constructors in ``BUILT_AS``: their calls are recorded with their arguments.
BUILT_NAMES: frozenset[str] = _last_names(BUILT_AS, ALIASES)
#: The last names of the constructors in ``BUILT_ON``: their calls are recorded with their first argument.
BUILT_ON_NAMES: frozenset[str] = _last_names(BUILT_ON, ALIASES)
#: Method name -> the position of the callback argument, of every loop scheduler.
CALLBACK_POSITIONS: dict[str, int] = _by_last_name(LOOP_SCHEDULERS, "loop schedulers")
#: Method name -> the argument that switches the object to non-blocking mode.
NONBLOCKING_ARGUMENTS: dict[str, object] = _by_last_name(
    NONBLOCKING_SWITCHES, "non-blocking switches"
)

__all__ = [
    "ALIASES",
    "ALL_RULES",
    "ARGUMENT_TAKERS",
    "ATTRIBUTES",
    "BUFFER_READERS",
    "BUILT_AS",
    "BUILT_NAMES",
    "BUILT_ON",
    "BUILT_ON_NAMES",
    "CALLBACK_POSITIONS",
    "CONFIGURED",
    "CONSUMERS",
    "COVERED_BY_MAKER",
    "FILE_ERROR",
    "FILE_READERS",
    "FILE_TYPES",
    "IN_MEMORY",
    "ITERATED_AS",
    "LOOP_SCHEDULERS",
    "MEMOISED",
    "MEMOISERS",
    "NONBLOCKING_ARGUMENTS",
    "NONBLOCKING_SWITCHES",
    "NONBLOCKING_TYPE",
    "OFFLOADING_DECORATORS",
    "PROPERTY_DECORATORS",
    "RETURNS",
    "RULES",
    "SETTLED_WHEN_DONE",
    "STRING_FORM",
    "TRANSPARENT_DECORATORS",
    "UNUSED_NOQA",
]
