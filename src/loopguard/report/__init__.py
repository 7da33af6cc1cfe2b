"""Output formats: one small module per format, each a ``render(findings, context) -> str``."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from loopguard.models import Finding, Rule


@dataclass(frozen=True, slots=True)
class ReportContext:
    """What a renderer may need beyond the findings themselves."""

    rules: Mapping[str, Rule]
    version: str
    root: Path
    color: bool = False
    read_line: Callable[[str, int], str] = lambda path, line: ""


Renderer = Callable[[Sequence[Finding], ReportContext], str]


# What a file name or a quoted line may hold that would act on a terminal or a log parser instead of
# being shown: C0 and C1 controls and DEL (a newline forges a new output line, ESC starts a terminal
# sequence, C1's CSI does too), Unicode's line and paragraph separators, and the bidirectional
# overrides and isolates, which reorder what is displayed (CVE-2021-42574, "Trojan Source").
UNSAFE_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def escape_controls(text: str, keep: str = "") -> str:
    """Each unsafe character (but those in ``keep``) as Python writes it: ``\\n``, ``\\x1b``."""

    def visible(match: re.Match[str]) -> str:
        char = match.group()
        return char if char in keep else char.encode("unicode_escape").decode("ascii")

    return UNSAFE_CHARACTERS.sub(visible, text)


def quote_code(text: str) -> str:
    """Backticks around a suggestion that is plain code; prose with its own code spans stays as is."""
    return text if "`" in text else f"`{text}`"


def message_with_suggestion(finding: Finding) -> str:
    """``message; use `replacement``` — the one-line wording every format shares."""
    if not finding.suggestion:
        return finding.message
    return f"{finding.message}; use {quote_code(finding.suggestion)}"


#: Each output format's module in ``loopguard.report``: a run imports only the one it prints
#: (``junit``'s loads an XML library, for one).
FORMAT_MODULES = {
    "concise": "text", "full": "full", "github": "github", "gitlab": "gitlab", "json": "json_format",
    "json-lines": "jsonlines", "jsonlines": "jsonlines", "junit": "junit", "sarif": "sarif", "text": "text",
}
# The names of the output formats, known without importing a renderer (the CLI's choices).
FORMAT_NAMES = tuple(sorted(FORMAT_MODULES))


def renderers() -> Mapping[str, Renderer]:
    """The output formats by name; a format's module is imported when its renderer is looked up."""
    return _Renderers()


class _Renderers(Mapping[str, Renderer]):
    def __getitem__(self, name: str) -> Renderer:
        from importlib import import_module

        renderer: Renderer = import_module(f"loopguard.report.{FORMAT_MODULES[name]}").render
        return renderer

    def __iter__(self) -> Iterator[str]:
        return iter(FORMAT_MODULES)

    def __len__(self) -> int:
        return len(FORMAT_MODULES)
