"""``[tool.loopguard]`` + command-line flags -> one frozen ``Config``.

The configuration is the nearest ``pyproject.toml`` upward from the working directory that has a
``[tool.loopguard]`` table, or the file given with ``--config``. Unknown keys and values of the wrong
type are a ``ConfigError`` naming the file and the key: a typo must never silently disable a check.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

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
    blocking_calls: tuple[tuple[str, str], ...] = ()
    respect_gitignore: bool = True

    def fingerprint(self) -> str:
        """A hash of everything that changes results (for the cache)."""
        text = repr(replace(self, root=Path("."), source=None))
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
        if parsed is None:
            return None
        result.append((pattern, parsed))
    return tuple(result)


def _string_table(value: Any) -> tuple[tuple[str, str], ...] | None:
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return tuple(value.items())
    return None


def _boolean(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _positive_int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    return None


# key -> (Config field, parser returning None for a bad value, what the value should be)
_KEYS: dict[str, tuple[str, Callable[[Any], Any], str]] = {
    "select": ("select", _string_list, "a list of code prefixes"),
    "ignore": ("ignore", _string_list, "a list of code prefixes"),
    "exclude": ("exclude", _string_list, "a list of glob patterns"),
    "per-file-ignores": ("per_file_ignores", _per_file_ignores, "a table of glob -> list of codes"),
    "offload-functions": ("offload_functions", _string_list, "a list of qualified names"),
    "safe-calls": ("safe_calls", _string_list, "a list of qualified names or globs"),
    "max-depth": ("max_depth", _positive_int, "a positive integer"),
    "loop-decorators": ("loop_decorators", _string_list, "a list of qualified names"),
    "blocking-calls": ("blocking_calls", _string_table, "a table of qualified name -> replacement"),
    "respect-gitignore": ("respect_gitignore", _boolean, "true or false"),
}

_CODE_KEYS = ("select", "ignore")


def find_config(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above ``start`` with a [tool.loopguard] table."""
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            data = _read_toml(candidate)
            if "loopguard" in data.get("tool", {}):
                return candidate
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the configuration: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None


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
        table = data.get("tool", {}).get("loopguard", {})
        prefix = "[tool.loopguard]"
    else:  # a dedicated loopguard.toml holds the keys at the top level
        table = data
        prefix = ""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {prefix or 'the file'} must be a table")
    values: dict[str, Any] = {}
    for key, raw in table.items():
        if key not in _KEYS:
            known = ", ".join(sorted(_KEYS))
            raise ConfigError(f"{path}: {prefix} unknown key '{key}' (known keys: {known})")
        attribute, parse, expected = _KEYS[key]
        value = parse(raw)
        if value is None:
            raise ConfigError(f"{path}: {prefix} '{key}' must be {expected}, got {raw!r}")
        if key in _CODE_KEYS:
            _check_codes(path, prefix, key, value)
        values[attribute] = value
    for pattern, codes in values.get("per_file_ignores", ()):
        _check_codes(path, prefix, f"per-file-ignores.{pattern}", codes)
    return Config(root=path.parent, source=path, **values)


def _check_codes(path: Path, prefix: str, key: str, codes: tuple[str, ...]) -> None:
    for code in codes:
        if not (code.startswith("LG") and code[2:].isdigit() or code == "LG"):
            raise ConfigError(f"{path}: {prefix} '{key}' has an invalid code prefix '{code}'")


def parse_code_list(text: str, option: str) -> tuple[str, ...]:
    """``--select LG1,LG201`` -> ("LG1", "LG201"); raises ConfigError on a malformed code."""
    codes = tuple(part.strip() for part in text.split(",") if part.strip())
    for code in codes:
        if not (code == "LG" or code.startswith("LG") and code[2:].isdigit()):
            raise ConfigError(f"{option}: invalid code prefix '{code}'")
    return codes
