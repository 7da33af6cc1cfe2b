"""Hidden I/O (LG701-LG706, LG710): standard-library and common calls that do not look like I/O but
read files, scan ``sys.path`` or run processes on first use. Runtime detectors find these often.

Most of them are cheap when repeated (a module already imported, a zone already cached); the first
call in a coroutine still stalls the loop, and which call is first depends on traffic. Do them at
start-up. File-object parsers, archives and data files are in ``parsing.py`` (LG707-LG709).
"""

from loopguard.catalogue.advice import to_thread
from loopguard.models import NonWaiting, Rule

_DOMAIN = "hidden i/o"
_STARTUP = "do it once at start-up (module level or the app's startup hook)"
_METADATA = (
    "version", "metadata", "distribution", "distributions", "entry_points", "files", "requires",
    "packages_distributions",
)
_PKG_RESOURCES = (
    "get_distribution", "require", "iter_entry_points", "load_entry_point", "get_entry_map", "get_entry_info",
    "find_distributions", "resource_string", "resource_stream", "resource_filename", "resource_listdir",
    "resource_exists", "resource_isdir",
)
_RESOURCES = ("read_text", "read_binary", "open_text", "open_binary", "contents", "path", "as_file", "is_resource")
_TRAVERSABLE = "importlib.resources.abc.Traversable"
#: logging's file handlers open their file when built, unless ``delay=True`` (then the first record
#: opens it, inside logging, which is never reported); ``TimedRotatingFileHandler`` stats the file
#: even then, and ``SysLogHandler`` resolves its host (``getaddrinfo``) or connects its Unix socket.
_DELAYABLE_HANDLERS = {  # handler -> the position of ``delay``
    "logging.FileHandler": 3,
    "logging.handlers.RotatingFileHandler": 5,
    "logging.handlers.WatchedFileHandler": 3,
}
_HANDLERS = (*_DELAYABLE_HANDLERS, "logging.handlers.TimedRotatingFileHandler", "logging.handlers.SysLogHandler")


def _startup_or_thread(function: str) -> dict[str, str]:
    return to_thread(function, asyncio=_STARTUP, anyio=_STARTUP, trio=_STARTUP)


RULES = (
    Rule(
        code="LG701",
        name="dynamic-import",
        domain=_DOMAIN,
        summary="`importlib.import_module`, `__import__`, `importlib.reload`, `importlib.util.find_spec` "
        "in a coroutine.",
        functions=("importlib.import_module", "builtins.__import__", "importlib.reload",
                   "importlib.util.find_spec"),
        instead=_startup_or_thread("{api}"),
        why="Importing a module that is not imported yet searches `sys.path`, reads and compiles files "
        "and runs the module's top level. The call site cannot tell whether it is imported already.",
        example=(
            "import importlib\n\n\n"
            "async def handler(name):\n"
            "    plugin = importlib.import_module(f'plugins.{name}')\n"
            "    return plugin.handle()"
        ),
        use_instead=(
            "import importlib\n\n"
            "ENABLED = ('csv', 'pdf')\n"
            "PLUGINS = {name: importlib.import_module(f'plugins.{name}') for name in ENABLED}\n\n\n"
            "async def handler(name):\n"
            "    plugin = PLUGINS[name]\n"
            "    return plugin.handle()"
        ),
    ),
    Rule(
        code="LG702",
        name="package-metadata",
        domain=_DOMAIN,
        summary="`importlib.metadata.version/metadata/distribution/distributions/entry_points/files/"
        "requires` (also the `importlib_metadata` backport) and `pkg_resources` lookups.",
        functions=(
            *(f"importlib.metadata.{name}" for name in _METADATA),
            *(f"pkg_resources.{name}" for name in _PKG_RESOURCES),
        ),
        instead=_startup_or_thread("{api}"),
        why="Package metadata lives in `.dist-info` directories: every lookup scans `sys.path` and "
        "reads METADATA or entry_points.txt files.",
        example=(
            "import importlib.metadata\n\n\n"
            "async def about():\n"
            "    return {'version': importlib.metadata.version('myapp')}"
        ),
        use_instead=(
            "import importlib.metadata\n\n"
            "VERSION = importlib.metadata.version('myapp')\n\n\n"
            "async def about():\n"
            "    return {'version': VERSION}"
        ),
    ),
    Rule(
        code="LG703",
        name="package-resource-read",
        domain=_DOMAIN,
        summary="`importlib.resources` reads: `files(...).read_text/read_bytes/open/iterdir`, "
        "`read_text`, `read_binary`, `open_text`, `open_binary`, `contents`, `path`, `as_file`.",
        functions=tuple(f"importlib.resources.{name}" for name in _RESOURCES),
        methods=tuple(f"{_TRAVERSABLE}.{m}" for m in ("read_text", "read_bytes", "open", "iterdir", "is_file",
                                                      "is_dir")),
        instead=_startup_or_thread("{api}"),
        why="Package resources are files (or zip members) read with blocking I/O.",
        example=(
            "import importlib.resources\n\n\n"
            "async def template():\n"
            "    return importlib.resources.files('myapp').joinpath('page.html').read_text()"
        ),
        use_instead=(
            "import importlib.resources\n\n"
            "PAGE = importlib.resources.files('myapp').joinpath('page.html').read_text()\n\n\n"
            "async def template():\n"
            "    return PAGE"
        ),
    ),
    Rule(
        code="LG704",
        name="source-inspection",
        thread_fix=False,
        fix_safety="No thread fix: `inspect.stack()` and the frame functions would describe the worker "
        "thread's stack.",
        domain=_DOMAIN,
        summary="`inspect.getsource/getsourcelines/getsourcefile/findsource/getcomments/stack/trace/"
        "getframeinfo/getouterframes/getinnerframes` and `linecache.getline/getlines/updatecache/"
        "checkcache`.",
        functions=(
            *(f"inspect.{name}" for name in ("getsource", "getsourcelines", "getsourcefile", "findsource",
                                             "getcomments", "stack", "trace", "getframeinfo",
                                             "getouterframes", "getinnerframes")),
            *(f"linecache.{name}" for name in ("getline", "getlines", "updatecache", "checkcache")),
        ),
        instead=_startup_or_thread("{api}"),
        why="These read source files from disk (`inspect.stack()` reads a line of context for every "
        "frame). Formatting tracebacks (`traceback.format_exc`, `logging.exception`) reads source "
        "lines too but is not reported: linecache keeps them, and logging is never flagged.",
        example=(
            "import inspect\n\n\n"
            "async def describe(handler):\n"
            "    return inspect.getsource(handler)"
        ),
        use_instead=(
            "import asyncio\n"
            "import inspect\n\n\n"
            "async def describe(handler):\n"
            "    return await asyncio.to_thread(inspect.getsource, handler)"
        ),
    ),
    Rule(
        code="LG705",
        name="config-file-load",
        domain=_DOMAIN,
        summary="`netrc.netrc()`, `ConfigParser.read/read_file`, `logging.config.fileConfig`, "
        "`mimetypes.init()` and `mimetypes.MimeTypes()`, `dotenv.load_dotenv/dotenv_values`, and "
        "building logging's file handlers (`FileHandler`, `RotatingFileHandler`, "
        "`WatchedFileHandler` unless `delay=True`; `TimedRotatingFileHandler`; `SysLogHandler`).",
        functions=("netrc.netrc", "logging.config.fileConfig", "mimetypes.init", "mimetypes.MimeTypes",
                   "dotenv.load_dotenv", "dotenv.dotenv_values", *_HANDLERS),
        methods=tuple(
            f"configparser.{parser}.{m}"
            for parser in ("ConfigParser", "RawConfigParser", "SafeConfigParser")
            for m in ("read", "read_file")
        ),
        instead=_startup_or_thread("{api}"),
        why="Configuration files are read and parsed from disk (`mimetypes.init` and the first "
        "`MimeTypes()` read the system's mime.types files). A logging file handler opens its file "
        "when built (a timed rotating one also stats it, a syslog one resolves its host): logging "
        "is set up once, at start-up.",
        non_waiting={
            handler.rpartition(".")[2]: (NonWaiting(position, "delay", True),)
            for handler, position in _DELAYABLE_HANDLERS.items()
        },
        example=(
            "import netrc\n\n\n"
            "async def credentials(host):\n"
            "    return netrc.netrc().authenticators(host)"
        ),
        use_instead=(
            "import netrc\n\n"
            "NETRC = netrc.netrc()\n\n\n"
            "async def credentials(host):\n"
            "    return NETRC.authenticators(host)"
        ),
    ),
    Rule(
        code="LG706",
        name="timezone-load",
        domain=_DOMAIN,
        summary="`zoneinfo.ZoneInfo(key)`, `pytz.timezone(name)`, `dateutil.tz.gettz(name)`, "
        "`tzlocal.get_localzone()`.",
        functions=("zoneinfo.ZoneInfo", "pytz.timezone", "dateutil.tz.gettz", "tzlocal.get_localzone"),
        instead=_startup_or_thread("{api}"),
        why="The first use of a zone reads its file from the tz database (the libraries cache it "
        "afterwards, so the stall hits whichever request comes first).",
        example=(
            "from datetime import datetime\n"
            "from zoneinfo import ZoneInfo\n\n\n"
            "async def local_time(user):\n"
            "    return datetime.now(ZoneInfo(user.timezone))"
        ),
        use_instead=(
            "from datetime import datetime\n"
            "from zoneinfo import ZoneInfo\n\n"
            "SUPPORTED_ZONES = ('UTC', 'Europe/Paris', 'America/New_York')\n"
            "ZONES = {key: ZoneInfo(key) for key in SUPPORTED_ZONES}\n\n\n"
            "async def local_time(user):\n"
            "    return datetime.now(ZONES[user.timezone])"
        ),
    ),
    Rule(
        code="LG710",
        name="platform-probe",
        domain=_DOMAIN,
        summary="`platform.platform/uname/libc_ver/freedesktop_os_release/processor/architecture/mac_ver/"
        "win32_ver`.",
        functions=tuple(
            f"platform.{name}"
            for name in ("platform", "uname", "libc_ver", "freedesktop_os_release", "processor", "architecture",
                         "mac_ver", "win32_ver")
        ),
        instead=_startup_or_thread("{api}"),
        why="They read files (`libc_ver` reads the interpreter binary, `freedesktop_os_release` reads "
        "/etc/os-release) or run processes (`architecture` runs `file`, `processor` may run `uname -p`).",
        example=(
            "import platform\n\n\n"
            "async def diagnostics():\n"
            "    return {'os': platform.platform()}"
        ),
        use_instead=(
            "import platform\n\n"
            "PLATFORM = platform.platform()\n\n\n"
            "async def diagnostics():\n"
            "    return {'os': PLATFORM}"
        ),
    ),
)

RETURNS = {
    "importlib.resources.files": _TRAVERSABLE,
    f"{_TRAVERSABLE}.joinpath": _TRAVERSABLE,
    f"{_TRAVERSABLE}.__truediv__": _TRAVERSABLE,
}

ALIASES = {
    **{f"importlib_metadata.{name}": f"importlib.metadata.{name}" for name in _METADATA},
    **{f"importlib_resources.{name}": f"importlib.resources.{name}" for name in (*_RESOURCES, "files")},
    "importlib.abc.Traversable": _TRAVERSABLE,
    "dotenv.main.load_dotenv": "dotenv.load_dotenv",
    "dotenv.main.dotenv_values": "dotenv.dotenv_values",
    "backports.zoneinfo.ZoneInfo": "zoneinfo.ZoneInfo",
}
