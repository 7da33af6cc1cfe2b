"""Parsing files, archives and data files (LG707-LG709, in the hidden I/O domain LG7xx).

``json.load``/``pickle.load``/``tomllib.load`` only take file objects, so every call reads a file.
``yaml.safe_load`` and the other PyYAML loaders take a string too (parsing text that was read
asynchronously is the recommended fix), so they are reported only when their argument is known to
be a file object (``FILE_READERS``: from ``open()`` and the rest of the open family, or annotated
``TextIO``/``BinaryIO``/``io.*``). ``DataFrame.to_csv/to_json`` without a path return a string and
are not reported; the writers that always write a file are.
"""

from loopguard.catalogue.advice import to_thread
from loopguard.models import NonWaiting, Rule

_DOMAIN = "hidden i/o"
_YAML = ("load", "safe_load", "full_load", "unsafe_load", "load_all", "safe_load_all")
_ZIP = "zipfile.ZipFile"
_TAR = "tarfile.TarFile"
_IMAGE = "PIL.Image.Image"
_FRAME = "pandas.DataFrame"
_PANDAS_READERS = (
    "read_csv", "read_table", "read_fwf", "read_json", "read_excel", "read_parquet", "read_feather",
    "read_orc", "read_pickle", "read_hdf", "read_sas", "read_spss", "read_stata", "read_xml", "read_html",
    "read_sql", "read_sql_query", "read_sql_table",
)
_FRAME_WRITERS = ("to_excel", "to_parquet", "to_pickle", "to_sql", "to_feather", "to_hdf", "to_stata", "to_orc")
_ETREE = "xml.etree.ElementTree"
#: XML parsers given a file name or a file object: they open it (``iterparse`` at the call) and read it.
_XML_PARSERS = (
    f"{_ETREE}.parse", f"{_ETREE}.iterparse", "xml.dom.minidom.parse", "lxml.etree.parse",
    "defusedxml.ElementTree.parse",
)
#: ``ElementTree(element)`` only stores the element; ``ElementTree(file=...)`` parses the file.
_TREE_WITHOUT_FILE = (NonWaiting(1, "file", None, left_out=True),)
#: Mail stores: ``mbox``, ``Babyl`` and ``MMDF`` open their file when built, ``Maildir`` and ``MH``
#: stat (and create) their directory.
_MAILBOXES = tuple(f"mailbox.{kind}" for kind in ("mbox", "Maildir", "MH", "Babyl", "MMDF"))
#: In-memory buffers: reading one is no I/O.
_BUFFERS = ("io.BytesIO",)
#: The variant of a ``BUILT_ON`` type built on a buffer: ``zipfile.ZipFile[in memory]``
IN_MEMORY = "[in memory]"

RULES = (
    Rule(
        code="LG707",
        name="file-object-parse",
        domain=_DOMAIN,
        summary="Parsers and writers that do the file I/O themselves: `json.load/dump`, "
        "`pickle.load/dump`, `marshal.load/dump`, `tomllib.load` (and `tomli`), `plistlib.load/dump`, "
        "the XML parsers given a file (`xml.etree.ElementTree.parse/iterparse`, `ElementTree(file=...)`, "
        "`xml.dom.minidom.parse`, `lxml.etree.parse`, `defusedxml.ElementTree.parse`; not given an "
        "`io.BytesIO`), and the PyYAML loaders (`yaml.safe_load` ...) when given a file object.",
        functions=(
            *(f"{module}.{f}" for module in ("json", "pickle", "marshal", "plistlib") for f in ("load", "dump")),
            "tomllib.load",
            *(f"yaml.{name}" for name in _YAML),
            *_XML_PARSERS,
            f"{_ETREE}.ElementTree",
        ),
        non_waiting={"ElementTree": _TREE_WITHOUT_FILE},
        instead={
            "asyncio": "read or write the bytes asynchronously (aiofiles) and parse or serialise them in "
            "memory (`json.loads(await f.read())`); or `await asyncio.to_thread({api}, ...)`",
            "anyio": "`json.loads(await anyio.Path(p).read_text())`; "
            "or `await anyio.to_thread.run_sync({api}, ...)`",
            "trio": "`json.loads(await trio.Path(p).read_text())`; "
            "or `await trio.to_thread.run_sync({api}, ...)`",
        },
        why="Reading from or writing to a file object is blocking file I/O, hidden inside the parser.",
        example=(
            "import json\n"
            "from typing import TextIO\n\n\n"
            "async def settings(fp: TextIO):\n"
            "    return json.load(fp)"
        ),
        use_instead=(
            "import json\n\n"
            "import anyio\n\n\n"
            "async def settings(path):\n"
            "    return json.loads(await anyio.Path(path).read_text())"
        ),
    ),
    Rule(
        code="LG708",
        name="archive-file-open",
        domain=_DOMAIN,
        summary="`zipfile.ZipFile(...)` (not of an `io.BytesIO`) and its reads, writes and extraction, "
        "`tarfile.open` and `TarFile` extraction and `add`, `shelve.open` (and `DbfilenameShelf`), "
        "`dbm.open`, the `mailbox` stores (`mbox`, `Maildir`, `MH`, `Babyl`, `MMDF`) and GitPython's "
        "`git.Repo(path)`, `Repo.init` and `Repo.clone_from`.",
        functions=(_ZIP, "tarfile.open", _TAR, "shelve.open", "shelve.DbfilenameShelf", "dbm.open",
                   "dbm.gnu.open", "dbm.ndbm.open", "dbm.dumb.open", "dbm.sqlite3.open", *_MAILBOXES,
                   "git.Repo", "git.Repo.init", "git.Repo.clone_from"),
        methods=(
            *(f"{_ZIP}.{m}" for m in ("read", "open", "extract", "extractall", "write", "writestr", "testzip")),
            *(f"{_ZIP}{IN_MEMORY}.{m}" for m in ("extract", "extractall", "write")),
            *(f"{_TAR}.{m}" for m in ("extract", "extractall", "extractfile", "add", "getmembers", "getnames")),
        ),
        instead=to_thread("{api}"),
        why="Opening an archive reads its directory from the file; extracting and adding members is "
        "bulk file I/O. shelve and dbm open database files; a mailbox opens its file or stats "
        "(and creates) its directory; `git.Repo` stats the path and its parents to find the "
        "repository and reads its files (`init` and `clone_from` run git).",
        example=(
            "import zipfile\n\n\n"
            "async def unpack(upload, target):\n"
            "    with zipfile.ZipFile(upload) as archive:\n"
            "        archive.extractall(target)"
        ),
        use_instead=(
            "import asyncio\n"
            "import zipfile\n\n\n"
            "def unpack_sync(upload, target):\n"
            "    with zipfile.ZipFile(upload) as archive:\n"
            "        archive.extractall(target)\n\n\n"
            "async def unpack(upload, target):\n"
            "    await asyncio.to_thread(unpack_sync, upload, target)"
        ),
    ),
    Rule(
        code="LG709",
        name="data-file-io",
        domain=_DOMAIN,
        summary="`PIL.Image.open` and `Image.save`, `wave.open` (neither of an `io.BytesIO`), "
        "`pandas.read_*` (files, SQL, HTML) and the "
        "`DataFrame.to_excel/to_parquet/to_pickle/to_sql/to_feather/to_hdf/...` writers.",
        functions=("PIL.Image.open", "wave.open", *(f"pandas.{name}" for name in _PANDAS_READERS)),
        methods=(f"{_IMAGE}.save", *(f"{_FRAME}.{m}" for m in _FRAME_WRITERS)),
        instead=to_thread("{api}"),
        why="These read or write whole files (or query a database) and usually parse or encode a lot "
        "of data on the way.",
        example=(
            "import pandas\n\n\n"
            "async def report(path):\n"
            "    return pandas.read_csv(path).describe()"
        ),
        use_instead=(
            "import asyncio\n\n"
            "import pandas\n\n\n"
            "async def report(path):\n"
            "    frame = await asyncio.to_thread(pandas.read_csv, path)\n"
            "    return frame.describe()"
        ),
    ),
)

#: Functions that read only when their first argument is a file object (see the module docstring).
FILE_READERS = tuple(f"yaml.{name}" for name in _YAML)
#: Functions that read a file, except when their first argument is one of these in-memory buffers:
#: ``PIL.Image.open(io.BytesIO(data))`` decodes bytes already in memory, no I/O.
BUFFER_READERS = {
    reader: _BUFFERS for reader in ("PIL.Image.open", "wave.open", _ZIP, *_XML_PARSERS)
}
#: Constructors whose object, built on one of these in-memory buffers (the first argument), keeps
#: its data in memory: an instance of the variant ``<type>[in memory]``, whose rules list only the
#: methods that still touch files (``ZipFile(io.BytesIO(), "w").writestr(...)`` writes memory;
#: ``write(path)`` still reads a file, ``extract``/``extractall`` still write them).
BUILT_ON = {_ZIP: _BUFFERS}

RETURNS = {
    "tarfile.open": _TAR,
    "PIL.Image.open": _IMAGE,
    **{f"pandas.{name}": _FRAME for name in _PANDAS_READERS},
}

ALIASES = {
    "git.repo.Repo": "git.Repo",
    "git.repo.base.Repo": "git.Repo",
    "tomli.load": "tomllib.load",
    "_pickle.load": "pickle.load",
    "tarfile.TarFile.open": "tarfile.open",
    "pandas.core.frame.DataFrame": _FRAME,
    "pandas.io.parsers.read_csv": "pandas.read_csv",
    "pandas.io.parsers.readers.read_csv": "pandas.read_csv",
}
