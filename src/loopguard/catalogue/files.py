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
            "asyncio": "aiofiles.open(...) or await asyncio.to_thread(...)",
            "anyio": "await anyio.open_file(...)",
            "trio": "await trio.open_file(...)",
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
            asyncio="aiofiles.tempfile.TemporaryFile/NamedTemporaryFile/TemporaryDirectory",
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
            "asyncio": "await asyncio.to_thread({api}, path, ...), or aiofiles.open(path)",
            "anyio": "anyio.Path (`await anyio.Path(p).read_text()`)",
            "trio": "trio.Path (`await trio.Path(p).read_text()`)",
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
)

_PATH_TO_PATH = (
    "__truediv__", "joinpath", "with_name", "with_suffix", "with_stem", "relative_to", "resolve",
    "absolute", "expanduser", "readlink", "with_segments",
)

RETURNS = {
    **dict.fromkeys((*_OPENERS, "tempfile.TemporaryFile", "tempfile.NamedTemporaryFile", f"{_PATH}.open"), _FILE),
    **{f"{_PATH}.{method}": _PATH for method in _PATH_TO_PATH},
    f"{_PATH}.cwd": _PATH,
    f"{_PATH}.home": _PATH,
}

ATTRIBUTES = {f"{_PATH}.parent": _PATH}

#: Types of file objects: what the file-object readers (``yaml.safe_load`` ...) read from.
FILE_TYPES = (
    _FILE, "io.TextIOWrapper", "io.BufferedReader", "io.BufferedWriter", "io.BufferedRandom", "io.FileIO",
    "io.TextIOBase", "io.BufferedIOBase", "io.RawIOBase", "typing.IO", "typing.TextIO", "typing.BinaryIO",
)

ALIASES = {
    "pathlib.PosixPath": _PATH,
    "pathlib.WindowsPath": _PATH,
    "pathlib._local.Path": _PATH,
    "pathlib._local.PosixPath": _PATH,
    "_io.open": "io.open",
}
