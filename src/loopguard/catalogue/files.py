"""File contents (LG501-LG503, in the files domain LG5xx).

Codes are grouped so a team can keep one part: **LG50x** is reading and writing file *contents*
(the open family, temporary files, ``Path.read_text`` and friends); **LG51x** (``filesystem.py``) is
filesystem metadata and tree operations (``exists``, ``stat``, ``listdir``, ``shutil``, ``glob``).
``ignore = ["LG51"]`` keeps the ``open()`` findings and drops the rest.
"""

from loopguard.catalogue.advice import to_thread
from loopguard.models import Rule

_DOMAIN = "file contents"  # LG50x; LG51x is "filesystem" (filesystem.py)
_FILE = "io.IOBase"  # what the open family returns: some file object
_OPENERS = (
    "builtins.open", "io.open", "io.open_code", "os.fdopen", "codecs.open", "gzip.open", "bz2.open",
    "lzma.open", "gzip.GzipFile", "bz2.BZ2File", "lzma.LZMAFile",
)
_TEMPFILES = (
    "TemporaryFile", "NamedTemporaryFile", "TemporaryDirectory", "mkstemp", "mkdtemp", "gettempdir",
)
_PATH = "pathlib.Path"
#: Types of file objects: what the file-object readers (``yaml.safe_load`` ...) read from, and what
#: LG504 reports the methods of.
FILE_TYPES = (
    _FILE, "io.TextIOWrapper", "io.BufferedReader", "io.BufferedWriter", "io.BufferedRandom", "io.FileIO",
    "io.TextIOBase", "io.BufferedIOBase", "io.RawIOBase", "typing.IO", "typing.TextIO", "typing.BinaryIO",
)
#: In memory until it grows past ``max_size``, then a real file: every call after that is file I/O.
_SPOOLED = "tempfile.SpooledTemporaryFile"
#: What reads, writes or waits on the file itself. ``name``, ``mode``, ``closed`` are attributes (not
#: calls); ``fileno``, ``isatty``, ``readable``, ``writable``, ``seekable`` and ``tell`` do no I/O.
_FILE_METHODS = (
    "read", "read1", "readall", "readinto", "readinto1", "readline", "readlines", "peek",
    "write", "writelines", "flush", "seek", "truncate", "close", "__iter__",
)
_WRAPPED = (
    "`{library}.wrap_file(f)` for a file object you were handed "
    "(then `await f.read()`, `async for line in f`)"
)

RULES = (
    Rule(
        code="LG501",
        name="blocking-open",
        domain=_DOMAIN,
        summary="Opening a file in a coroutine: `open()`, `io.open`, `io.open_code`, `os.fdopen`, "
        "`codecs.open`, `gzip/bz2/lzma.open` and their file classes. (LG50x are file contents; "
        "`ignore = [\"LG51\"]` keeps them and drops the filesystem-metadata group.)",
        functions=_OPENERS,
        instead={
            "asyncio": "`aiofiles.open(...)` or `await asyncio.to_thread(...)`",
            "anyio": "`await anyio.open_file(...)`",
            "trio": "`await trio.open_file(...)`",
        },
        why="Opening, reading and writing a regular file are blocking system calls; on a slow or "
        "network filesystem they stall every task on the loop.",
        example=(
            "async def load(path):\n"
            "    with open(path) as f:\n"
            "        return f.read()"
        ),
        use_instead=(
            "import anyio\n\n\n"
            "async def load(path):\n"
            "    async with await anyio.open_file(path) as f:\n"
            "        return await f.read()"
        ),
    ),
    Rule(
        code="LG502",
        name="blocking-tempfile",
        domain=_DOMAIN,
        summary="`tempfile.TemporaryFile/NamedTemporaryFile/TemporaryDirectory/mkstemp/mkdtemp/gettempdir`.",
        functions=tuple(f"tempfile.{name}" for name in _TEMPFILES),
        instead=to_thread(
            "{api}",
            asyncio="`aiofiles.tempfile.TemporaryFile`/`NamedTemporaryFile`/`TemporaryDirectory`",
        ),
        why="These create files or directories (and `gettempdir()` probes candidate directories by "
        "writing to them on first use).",
        example=(
            "import tempfile\n\n\n"
            "async def render(data: bytes):\n"
            "    with tempfile.NamedTemporaryFile(suffix='.pdf') as out:\n"
            "        out.write(data)"
        ),
        use_instead=(
            "import aiofiles.tempfile\n\n\n"
            "async def render(data: bytes):\n"
            "    async with aiofiles.tempfile.NamedTemporaryFile(suffix='.pdf') as out:\n"
            "        await out.write(data)"
        ),
    ),
    Rule(
        code="LG503",
        name="pathlib-file-io",
        domain=_DOMAIN,
        summary="Reading or writing file contents through `pathlib.Path`: `open read_text read_bytes "
        "write_text write_bytes`.",
        methods=tuple(f"{_PATH}.{m}" for m in ("open", "read_text", "read_bytes", "write_text", "write_bytes")),
        instead={
            "asyncio": "`await asyncio.to_thread({api}, path, ...)`, or `aiofiles.open(path)`",
            "anyio": "`anyio.Path` (`await anyio.Path(p).read_text()`)",
            "trio": "`trio.Path` (`await trio.Path(p).read_text()`)",
        },
        why="These open the file and read or write it whole, on the calling thread.",
        example=(
            "import json\n"
            "from pathlib import Path\n\n\n"
            "async def settings(root):\n"
            "    return json.loads((Path(root) / 'settings.json').read_text())"
        ),
        use_instead=(
            "import json\n\n"
            "import anyio\n\n\n"
            "async def settings(root):\n"
            "    return json.loads(await (anyio.Path(root) / 'settings.json').read_text())"
        ),
    ),
    Rule(
        code="LG504",
        name="file-object-io",
        domain=_DOMAIN,
        summary="Reading, writing, flushing, seeking or closing a file object: `read readline readlines "
        "write writelines flush seek truncate close` (and `read1 readall readinto peek`), and iterating it "
        "(`for line in f`). File objects are what the open family, `Path.open` and `tempfile.*File` "
        "return, and values annotated `io.TextIOWrapper`, `io.BufferedReader/Writer/Random`, `typing.IO`, "
        "`TextIO` or `BinaryIO`. Not reported again in a coroutine whose `open()` of the file is reported "
        "(LG501-LG503).",
        methods=tuple(f"{owner}.{m}" for owner in (*FILE_TYPES, _SPOOLED) for m in _FILE_METHODS),
        instead={
            "asyncio": "`aiofiles.open(...)` (an async file object: `await f.read()`), or "
            "`await asyncio.to_thread(fn, ...)` around the code that reads or writes",
            "anyio": "`await anyio.open_file(...)`, or " + _WRAPPED.format(library="anyio"),
            "trio": "`await trio.open_file(...)`, or " + _WRAPPED.format(library="trio"),
        },
        why="Each call goes to the file on the calling thread: a read waits for the disk (or the network "
        "filesystem), a write, `flush` or `close` for the data to reach the kernel. `io.StringIO` and "
        "`io.BytesIO` are in memory and never reported; aiofiles, `anyio.open_file` and `trio.open_file` "
        "objects are awaited and never reported; an object whose type is unknown is never reported, "
        "whatever its method is called. A `tempfile.SpooledTemporaryFile` is reported: past `max_size` "
        "it is a real file.\n\n"
        "**One finding per file a coroutine opens.** When the same coroutine has a finding for the call "
        "that opened the file (LG501 `open`, LG502 `tempfile`, LG503 `Path.open`) on or before the "
        "line, the methods of that file object are not reported: `with open(p) as f: data = f.read()` "
        "is one finding, at `open`, not two. The fix of that call (an async file object) is the fix of "
        "every read and write on it, and a coroutine that writes a report line by line would otherwise "
        "get one finding per line for one problem. flake8-async and ruff report both (ASYNC230 and "
        "ASYNC232). The methods are reported when the file object comes from anywhere else (a "
        "parameter, an attribute, a module-level file, a helper's return), or when the `open()` is not "
        "reported: LG501 ignored or per-file ignored, or the open is in a sync function. A `# noqa` on "
        "the `open()` line also covers its reads: it says this coroutine may touch that file.",
        example=(
            "from typing import TextIO\n\n\n"
            "async def count_lines(log: TextIO) -> int:\n"
            "    return len(log.readlines())"
        ),
        use_instead=(
            "from typing import TextIO\n\n"
            "import anyio\n\n\n"
            "async def count_lines(log: TextIO) -> int:\n"
            "    return len(await anyio.wrap_file(log).readlines())"
        ),
    ),
)

_PATH_TO_PATH = (
    "__truediv__", "joinpath", "with_name", "with_suffix", "with_stem", "relative_to", "resolve",
    "absolute", "expanduser", "readlink", "with_segments",
)

_MAKERS = (*_OPENERS, "tempfile.TemporaryFile", "tempfile.NamedTemporaryFile", f"{_PATH}.open")
RETURNS = {
    **dict.fromkeys(_MAKERS, _FILE),
    **{f"{_PATH}.{method}": _PATH for method in _PATH_TO_PATH},
    f"{_PATH}.cwd": _PATH,
    f"{_PATH}.home": _PATH,
}

ATTRIBUTES = {f"{_PATH}.parent": _PATH}

#: The file object an opener returns is reported at the opener: a method of it is not reported in a
#: function that already has a finding for one of these calls, on or before the method's line (the
#: LG504 page says why).
COVERED_BY_MAKER = {_FILE: _MAKERS}

ALIASES = {
    "pathlib.PosixPath": _PATH,
    "pathlib.WindowsPath": _PATH,
    "pathlib._local.Path": _PATH,
    "pathlib._local.PosixPath": _PATH,
    "_io.open": "io.open",
}
