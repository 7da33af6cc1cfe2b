"""Filesystem metadata and tree operations (LG511-LG515, in the files domain LG5xx).

The LG51x group (see ``files.py``): ``pathlib.Path`` methods that touch the filesystem, ``os.path``
functions that do, ``os`` filesystem system calls, ``shutil`` and ``glob``. Pure path arithmetic is
never reported: ``os.path.join basename dirname split splitext normpath commonpath isabs expandvars
...`` and ``PurePath`` operations (``name stem suffix parent parts with_suffix relative_to / ...``).
``os.path.abspath/relpath/expanduser`` touch the filesystem or the passwd database only for some
inputs (a relative path, ``~`` without ``$HOME``) and are not reported either.
"""

from loopguard.catalogue.advice import to_thread
from loopguard.models import Rule

_DOMAIN = "filesystem"  # LG51x; LG50x is "file contents" (files.py)
_PATH = "pathlib.Path"
# Lazy generators: calling them does no I/O (pathlib's iterdir up to Python 3.12, glob, rglob, walk;
# os.walk, os.fwalk, glob.iglob); iterating them on the loop does — a sync ``for``, a comprehension,
# ``list()``/``sorted()`` — and is reported there. Handing the generator to a thread is silent.
_PATH_LISTING = "pathlib.PathListing"
_OS_WALK = "os.WalkGenerator"
_IGLOB = "glob.IGlobGenerator"
# ``os.scandir`` opens the directory; iterating what it returns reads its entries, batch by batch.
_SCANDIR = "os.ScandirIterator"
_PATH_FS = (
    "exists", "is_file", "is_dir", "is_symlink", "is_mount", "is_socket", "is_fifo", "is_block_device",
    "is_char_device", "is_junction", "stat", "lstat", "mkdir", "unlink",
    "rmdir", "rename", "replace", "touch", "resolve", "absolute", "samefile", "owner", "group", "readlink",
    "chmod", "lchmod", "symlink_to", "hardlink_to", "expanduser", "copy", "copy_into", "move", "move_into",
)
_OS_PATH_IO = (
    "exists", "lexists", "isfile", "isdir", "islink", "ismount", "isjunction", "isdevdrive", "getsize",
    "getmtime", "getatime", "getctime", "samefile", "sameopenfile", "realpath",
)
_OS_FS = (
    "stat", "lstat", "statvfs", "listdir", "scandir", "mkdir", "makedirs", "rmdir",
    "removedirs", "remove", "unlink", "rename", "renames", "replace", "link", "symlink", "readlink",
    "access", "chmod", "lchmod", "chown", "lchown", "utime", "truncate", "fsync", "fdatasync", "sendfile",
    "getcwd", "getcwdb", "chdir", "mkfifo", "mknod", "open",
)
_SHUTIL = (
    "copy", "copy2", "copyfile", "copyfileobj", "copytree", "copymode", "copystat", "rmtree", "move",
    "make_archive", "unpack_archive", "disk_usage", "which", "chown",
)

RULES = (
    Rule(
        code="LG511",
        name="pathlib-filesystem-call",
        domain=_DOMAIN,
        summary="`pathlib.Path` methods that touch the filesystem (`exists is_file is_dir stat iterdir glob "
        "rglob mkdir unlink rmdir rename replace touch resolve samefile owner readlink chmod ...`) and "
        "`Path.cwd()`, `Path.home()`. Pure path operations are silent. (LG51x are filesystem metadata and "
        "tree operations, separate from the LG50x file-content group.)",
        functions=(f"{_PATH}.cwd", f"{_PATH}.home"),
        methods=(*(f"{_PATH}.{m}" for m in _PATH_FS), f"{_PATH_LISTING}.__iter__"),
        instead={
            "asyncio": "`await asyncio.to_thread({api}, ...)` (or `aiofiles.os` / `aiofiles.os.path`)",
            "anyio": "`anyio.Path` (`await anyio.Path(p).exists()`)",
            "trio": "`trio.Path` (`await trio.Path(p).exists()`)",
        },
        why="Each of these is one or more system calls on the filesystem; `glob`, `rglob` and `walk` "
        "read whole directory trees.",
        example=(
            "from pathlib import Path\n\n\n"
            "async def ensure_dir(root):\n"
            "    path = Path(root) / 'cache'\n"
            "    if not path.exists():\n"
            "        path.mkdir(parents=True)"
        ),
        use_instead=(
            "import anyio\n\n\n"
            "async def ensure_dir(root):\n"
            "    path = anyio.Path(root) / 'cache'\n"
            "    if not await path.exists():\n"
            "        await path.mkdir(parents=True)"
        ),
    ),
    Rule(
        code="LG512",
        name="os-path-io",
        domain=_DOMAIN,
        summary="`os.path` functions that touch the filesystem: `exists lexists isfile isdir islink ismount "
        "getsize getmtime getatime getctime samefile sameopenfile realpath`.",
        functions=tuple(f"os.path.{name}" for name in _OS_PATH_IO),
        instead=to_thread("{api}", asyncio="`await aiofiles.os.path.exists(...)` (same names)"),
        why="These `stat` the path; on a network filesystem or a cold disk that can take milliseconds "
        "to seconds.",
        example=(
            "import os.path\n\n\n"
            "async def size(path):\n"
            "    if os.path.isfile(path):\n"
            "        return os.path.getsize(path)\n"
            "    return 0"
        ),
        use_instead=(
            "import aiofiles.os\n\n\n"
            "async def size(path):\n"
            "    if await aiofiles.os.path.isfile(path):\n"
            "        return await aiofiles.os.path.getsize(path)\n"
            "    return 0"
        ),
    ),
    Rule(
        code="LG513",
        name="os-filesystem-call",
        domain=_DOMAIN,
        summary="`os` filesystem system calls: `stat lstat statvfs listdir scandir walk mkdir makedirs rmdir "
        "removedirs remove unlink rename renames replace link symlink readlink access chmod chown utime "
        "truncate fsync sendfile getcwd chdir open ...`.",
        functions=tuple(f"os.{name}" for name in _OS_FS),
        methods=(f"{_OS_WALK}.__iter__", f"{_SCANDIR}.__iter__"),
        instead=to_thread("{api}", asyncio="`await aiofiles.os.<same name>(...)` for most of them"),
        why="Filesystem system calls block the calling thread; `walk`, `scandir` and `listdir` read "
        "whole directories.",
        example=(
            "import os\n\n\n"
            "async def cleanup(directory):\n"
            "    for name in os.listdir(directory):\n"
            "        os.remove(os.path.join(directory, name))"
        ),
        use_instead=(
            "import os\n\n"
            "import aiofiles.os\n\n\n"
            "async def cleanup(directory):\n"
            "    for name in await aiofiles.os.listdir(directory):\n"
            "        await aiofiles.os.remove(os.path.join(directory, name))"
        ),
    ),
    Rule(
        code="LG514",
        name="shutil-call",
        domain=_DOMAIN,
        summary="`shutil.copy copy2 copyfile copyfileobj copytree copymode copystat rmtree move make_archive "
        "unpack_archive disk_usage which chown`.",
        functions=tuple(f"shutil.{name}" for name in _SHUTIL),
        instead=to_thread("{api}"),
        why="shutil copies, moves and deletes files and trees with blocking I/O; `which` searches "
        "every directory on `$PATH`.",
        example=(
            "import shutil\n\n\n"
            "async def backup(src, dst):\n"
            "    shutil.copytree(src, dst)"
        ),
        use_instead=(
            "import asyncio\n"
            "import shutil\n\n\n"
            "async def backup(src, dst):\n"
            "    await asyncio.to_thread(shutil.copytree, src, dst)"
        ),
    ),
    Rule(
        code="LG515",
        name="glob-call",
        domain=_DOMAIN,
        summary="`glob.glob` and `glob.iglob`.",
        functions=("glob.glob",),
        methods=(f"{_IGLOB}.__iter__",),
        instead=to_thread("{api}", anyio="`anyio.Path(root).glob(pattern)` (async iterator)",
                          trio="`await trio.Path(root).glob(pattern)`"),
        why="Globbing lists directories, recursively with `**`.",
        example=(
            "import glob\n\n\n"
            "async def reports(root):\n"
            "    return glob.glob(f'{root}/**/*.csv', recursive=True)"
        ),
        use_instead=(
            "import asyncio\n"
            "import glob\n\n\n"
            "async def reports(root):\n"
            "    return await asyncio.to_thread(glob.glob, f'{root}/**/*.csv', recursive=True)"
        ),
    ),
)

ALIASES = {
    **{f"{module}.{name}": f"os.path.{name}" for module in ("posixpath", "ntpath", "genericpath")
       for name in _OS_PATH_IO},
}


RETURNS = {
    **{f"{_PATH}.{method}": _PATH_LISTING for method in ("iterdir", "glob", "rglob", "walk")},
    "os.walk": _OS_WALK,
    "os.fwalk": _OS_WALK,
    "glob.iglob": _IGLOB,
    "os.scandir": _SCANDIR,
}

#: What the pseudo types above are, in a message: "iterating {this} blocks the event loop".
ITERATED_AS = {
    _PATH_LISTING: "a `Path.iterdir()`/`glob()`/`rglob()`/`walk()` result",
    _OS_WALK: "an `os.walk()`/`os.fwalk()` generator",
    _IGLOB: "a `glob.iglob()` generator",
    _SCANDIR: "an `os.scandir()` iterator",
}

#: Iterating a ``scandir`` result is reported at ``os.scandir`` when the same function calls it
#: (one finding for one listing); one made elsewhere and iterated here is reported at the ``for``.
COVERED_BY_MAKER = {_SCANDIR: ("os.scandir",)}
