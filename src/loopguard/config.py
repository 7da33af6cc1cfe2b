"""``[tool.loopguard]`` + command-line flags -> one frozen ``Config``.

The configuration of a file is the nearest ``loopguard.toml``, or ``pyproject.toml`` with a
``[tool.loopguard]`` table, at or above it (``projects.py`` finds it for each checked path), or the
file given with ``--config``. Unknown keys and values of the wrong
type are a ``ConfigError`` naming the file and the key: a typo must never silently disable a check.

Only our own table is validated: the search walks up through directories loopguard does not own
(a home directory, a monorepo's top), so a ``pyproject.toml`` that never mentions ``loopguard`` is
skipped unparsed, and one whose ``tool`` is not a table simply has no loopguard configuration.
Reading is bounded: a configuration file must be a regular file (a FIFO would block the run) of at
most ``MAX_CONFIG_BYTES``, in UTF-8 as TOML requires.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from loopguard.safeio import read_regular_file

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


class ConfigError(Exception):
    """A problem in the user's configuration; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class Config:
    root: Path = field(default_factory=Path.cwd)
    source: Path | None = None
    select: tuple[str, ...] = ("LG",)
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    offload_functions: tuple[str, ...] = ()
    safe_calls: tuple[str, ...] = ()
    max_depth: int = 8
    loop_decorators: tuple[str, ...] = ()
    offload_decorators: tuple[str, ...] = ()
    blocking_calls: tuple[tuple[str, str], ...] = ()
    respect_gitignore: bool = True
    src: tuple[str, ...] = ()  # source roots relative to ``root``; empty: found (modules.py)
    baseline: str = ""  # the baseline file relative to ``root``; empty: none (baseline.py)
    fixable: tuple[str, ...] = ("LG",)  # codes whose findings --fix may fix
    unfixable: tuple[str, ...] = ()

    def fingerprint(self) -> str:
        """A hash of everything that changes results (for the cache): not which findings are shown
        (the baseline), nor which codes are fixable (fixes are planned after the check)."""
        shown = replace(self, root=Path("."), source=None, baseline="", fixable=(), unfixable=())
        text = repr(shown)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _string_list(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _per_file_ignores(value: Any) -> tuple[tuple[str, tuple[str, ...]], ...] | None:
    if not isinstance(value, dict):
        return None
    result = []
    for pattern, codes in value.items():
        parsed = _string_list(codes)
        if parsed is None or len(pattern) > MAX_GLOB_LENGTH:
            return None
        result.append((pattern, parsed))
    return tuple(result)


def _string_table(value: Any) -> tuple[tuple[str, str], ...] | None:
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return tuple(value.items())
    return None


def _boolean(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


# Far beyond any real call chain; an absurd value (10**9) is a typo or a test, not a wish.
MAX_DEPTH_LIMIT = 100
# No glob is longer than a path; the bound keeps each match cheap (discover.Glob is linear in it).
MAX_GLOB_LENGTH = 1000


def _depth(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_DEPTH_LIMIT:
        return value
    return None


def _glob_list(value: Any) -> tuple[str, ...] | None:
    globs = _string_list(value)
    if globs is None or any(len(glob) > MAX_GLOB_LENGTH for glob in globs):
        return None
    return globs


def _source_directories(value: Any) -> tuple[str, ...] | None:
    directories = _string_list(value)
    if directories is None or any(not d or "\0" in d or len(d) > MAX_GLOB_LENGTH for d in directories):
        return None
    return directories


def _file_path(value: Any) -> str | None:
    if isinstance(value, str) and value and "\0" not in value and len(value) <= MAX_GLOB_LENGTH:
        return value
    return None


# key -> (Config field, parser returning None for a bad value, what the value should be)
_KEYS: dict[str, tuple[str, Callable[[Any], Any], str]] = {
    "select": ("select", _string_list, "a list of code prefixes"),
    "ignore": ("ignore", _string_list, "a list of code prefixes"),
    "exclude": (
        "exclude", _glob_list,
        f"a list of glob patterns (each at most {MAX_GLOB_LENGTH} characters)",
    ),
    "per-file-ignores": (
        "per_file_ignores", _per_file_ignores,
        f"a table of glob (at most {MAX_GLOB_LENGTH} characters) -> list of codes",
    ),
    "offload-functions": ("offload_functions", _string_list, "a list of qualified names"),
    "safe-calls": ("safe_calls", _string_list, "a list of qualified names or globs"),
    "max-depth": ("max_depth", _depth, f"a positive integer no larger than {MAX_DEPTH_LIMIT}"),
    "loop-decorators": ("loop_decorators", _string_list, "a list of qualified names"),
    "offload-decorators": ("offload_decorators", _string_list, "a list of qualified names"),
    "blocking-calls": ("blocking_calls", _string_table, "a table of qualified name -> replacement"),
    "respect-gitignore": ("respect_gitignore", _boolean, "true or false"),
    "src": ("src", _source_directories, "a list of directories relative to the project root"),
    "baseline": ("baseline", _file_path, "a file path relative to the configuration file"),
    "fixable": ("fixable", _string_list, "a list of code prefixes"),
    "unfixable": ("unfixable", _string_list, "a list of code prefixes"),
}

_CODE_KEYS = ("select", "ignore", "fixable", "unfixable")


# Real pyproject.toml files are kilobytes; the bound keeps a hostile one from costing the run.
MAX_CONFIG_BYTES = 2 * 1024 * 1024
# Shown values are cut: a message quoting a 2 MB list is no message.
MAX_SHOWN = 80


#: A file of loopguard's own, keys at the top level; it wins over a pyproject.toml beside it (as
#: ruff.toml does over pyproject.toml).
DEDICATED_CONFIG = "loopguard.toml"
#: The names of the files ``config_in`` reads: a directory listed without one has no configuration.
CONFIG_FILE_NAMES = frozenset({DEDICATED_CONFIG, "pyproject.toml"})


def config_in(directory: Path) -> Path | None:
    """The configuration file of ``directory`` itself: ``loopguard.toml``, or a pyproject.toml
    with a [tool.loopguard] table."""
    dedicated = directory / DEDICATED_CONFIG
    if dedicated.is_file():
        return dedicated
    candidate = directory / "pyproject.toml"
    if candidate.is_file() and _has_loopguard_table(candidate):
        return candidate
    return None


def find_config(start: Path) -> Path | None:
    """The nearest configuration file at or above ``start``."""
    for directory in (start, *start.parents):
        found = config_in(directory)
        if found is not None:
            return found
    return None


def _has_loopguard_table(path: Path) -> bool:
    data = _read_config_bytes(path)
    # A file that never says "loopguard" cannot hold our table: it is not ours to parse or judge.
    if b"loopguard" not in data:
        return False
    return _loopguard_table(_parse_toml(path, data)) is not None


def _loopguard_table(data: dict[str, Any]) -> Any | None:
    """``data["tool"]["loopguard"]``, or None when absent (also when ``tool`` is not a table)."""
    tool = data.get("tool")
    return tool.get("loopguard") if isinstance(tool, dict) else None


def _read_config_bytes(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_CONFIG_BYTES; anything else is a ConfigError."""
    try:
        data = read_regular_file(path, MAX_CONFIG_BYTES)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the configuration: {error.strerror}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: the configuration is larger than {MAX_CONFIG_BYTES} bytes")
    return data


def _parse_toml(path: Path, data: bytes) -> dict[str, Any]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        byte = data[error.start]
        raise ConfigError(
            f"{path}: invalid TOML: not UTF-8 (byte 0x{byte:02x} at offset {error.start})"
        ) from None
    try:
        return tomllib.loads(text)
    # ValueError covers TOMLDecodeError and tomllib's own limits (an integer of 5,000 digits);
    # tomllib recurses into nested arrays and inline tables.
    except ValueError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None


def _read_toml(path: Path) -> dict[str, Any]:
    return _parse_toml(path, _read_config_bytes(path))


def shown(value: Any) -> str:
    """``repr(value)``, cut to MAX_SHOWN characters."""
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."


def load_config(path: Path | None, start: Path | None = None) -> Config:
    """Read the configuration from ``path`` (``--config``) or discover it from ``start``."""
    start = (start or Path.cwd()).resolve()
    if path is None:
        path = find_config(start)
        if path is None:
            return Config(root=start)
    path = path.resolve()
    data = _read_toml(path)
    if path.name == "pyproject.toml" or "tool" in data:
        found = _loopguard_table(data)
        table = {} if found is None else found
        prefix = "[tool.loopguard]"
    else:  # a dedicated loopguard.toml holds the keys at the top level
        table = data
        prefix = ""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {prefix or 'the file'} must be a table")
    values: dict[str, Any] = {}
    for key, raw in table.items():
        if key not in _KEYS:
            raise ConfigError(f"{path}: {prefix} {unknown_key_message(key)}")
        attribute, parse, expected = _KEYS[key]
        value = parse(raw)
        if value is None:
            raise ConfigError(f"{path}: {prefix} '{key}' must be {expected}, got {shown(raw)}")
        if key in _CODE_KEYS:
            _check_codes(path, prefix, key, value)
        values[attribute] = value
    for pattern, codes in values.get("per_file_ignores", ()):
        _check_codes(path, prefix, f"per-file-ignores.{pattern}", codes)
    return Config(root=path.parent, source=path, **values)


def unknown_key_message(key: str) -> str:
    """``unknown key 'selct'; did you mean 'select'? (known keys: ...)`` — the guess from difflib."""
    name = shown(key)[1:-1]
    import difflib  # only for a misspelt key: a run without one does not load it

    close = difflib.get_close_matches(key, _KEYS, n=1, cutoff=0.6)
    guess = f"; did you mean '{close[0]}'?" if close else ""
    return f"unknown key '{name}'{guess} (known keys: {', '.join(sorted(_KEYS))})"


def unmatched_codes(codes: tuple[str, ...], known: Collection[str]) -> list[str]:
    """The code prefixes that select no rule at all (``LG999``): probably a typo, or a code from
    another loopguard version, so the run warns instead of failing."""
    return [code for code in codes if not any(rule.startswith(code) for rule in known)]


def unknown_code_warnings(config: Config, known: Collection[str]) -> Iterator[str]:
    """A warning per code in the configuration file's select/ignore/per-file-ignores that matches
    no rule; the defaults (no file) match everything."""
    if config.source is None:
        return
    keyed = [("select", config.select), ("ignore", config.ignore)]
    keyed += [(f"per-file-ignores.{pattern}", codes) for pattern, codes in config.per_file_ignores]
    for key, codes in keyed:
        for code in unmatched_codes(codes, known):
            yield f"{config.source}: '{key}' has the code {shown(code)}, which matches no rule"


def _check_codes(path: Path, prefix: str, key: str, codes: tuple[str, ...]) -> None:
    for code in codes:
        if not (code.startswith("LG") and code[2:].isdigit() or code == "LG"):
            raise ConfigError(f"{path}: {prefix} '{key}' has an invalid code prefix {shown(code)}")


def parse_code_list(text: str, option: str) -> tuple[str, ...]:
    """``--select LG1,LG201`` -> ("LG1", "LG201"); raises ConfigError on a malformed code."""
    codes = tuple(part.strip() for part in text.split(",") if part.strip())
    for code in codes:
        if not (code == "LG" or code.startswith("LG") and code[2:].isdigit()):
            raise ConfigError(f"{option}: invalid code prefix '{code}'")
    return codes
