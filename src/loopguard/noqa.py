"""``# noqa`` comments: which findings they silence, and which ``LG`` codes in them silence nothing
(LG021, the model is ruff's RUF100). Where a finding's comment is: noqa_lines.py.

This pass runs on the results of every file, after the analysis and its cache: a noqa comment is
read at report time, so the cached results hold every finding.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from loopguard.catalogue import ALL_RULES, UNUSED_NOQA
from loopguard.config import Config
from loopguard.models import FileResult, Finding, Rule
from loopguard.noqa_lines import Comment, NoqaMap
from loopguard.sourcetext import SourceRefused, decode_source, read_source
from loopguard.suppress import NOQA, is_selected, noqa_codes, per_file_ignored, silenced_by_noqa

#: Any spelling of "noqa" in a file's bytes: a file without one needs no tokenizing.
MENTIONS_NOQA = re.compile(rb"noqa", re.IGNORECASE)
#: The codes loopguard judges in a noqa comment: its own (``LG101``, a prefix ``LG2``, ``LG``).
#: Others (``E501``, ``BLE001``) belong to other tools and are left alone.
OWN_CODE = re.compile(r"LG[0-9]*")


@dataclass(frozen=True, slots=True)
class NoqaContext:
    """What judging a file's noqa codes needs from the run: whether LG021 is reported, which
    rules exist, and whether a code is enabled for a file (selected, not per-file-ignored)."""

    report_unused: bool
    rules: Mapping[str, Rule]
    enabled: Callable[[str, str], bool]  # (code, the file's path relative to the root) -> enabled


def apply_noqa(
    results: Iterable[FileResult],
    read_text: Callable[[str], str | None],
    relative: Callable[[str], str],
    context: NoqaContext,
) -> list[FileResult]:
    """Each file's result without the findings its noqa comments silence, plus (when LG021 is
    selected) the noqa codes that silence nothing. ``read_text`` gives a reported path's source
    (None when it has no ``noqa`` at all or cannot be read)."""
    applied = []
    for result in results:
        if result.error or not (result.findings or context.report_unused):
            applied.append(result)
            continue
        text = read_text(result.path)
        if text is None:
            applied.append(result)
            continue
        noqa_map = NoqaMap(text)
        kept, used = silence(result.findings, noqa_map)
        if context.report_unused:
            kept += unused_noqa(result.path, noqa_map, used, relative(result.path), context)
        applied.append(replace(result, findings=tuple(sorted(kept, key=Finding.sort_key))))
    return applied


def silence(findings: Iterable[Finding], noqa_map: NoqaMap) -> tuple[list[Finding], dict[int, list[str]]]:
    """The findings no comment silences, and by comment line the codes of those that were."""
    kept: list[Finding] = []
    used: dict[int, list[str]] = {}
    for finding in findings:
        comment = noqa_map.comment_for(finding.line)
        if comment is not None and silenced_by_noqa(finding.code, comment.text):
            used.setdefault(comment.line, []).append(finding.code)
        else:
            kept.append(finding)
    return kept, used


UNUSED_CODE = UNUSED_NOQA.code


def unused_noqa(
    path: str, noqa_map: NoqaMap, used: dict[int, list[str]], relative: str, context: NoqaContext
) -> list[Finding]:
    """An LG021 finding per noqa comment with an LG code that silences nothing here."""
    findings = []
    for comment in noqa_map.noqa_comments():
        codes = noqa_codes(comment.text)
        # a bare noqa serves every tool (flake8, ruff...); one that names LG021 keeps its line quiet
        if not codes or silenced_by_noqa(UNUSED_CODE, comment.text):
            continue
        problems = judge_codes(own_codes(comment.text), used.get(comment.line, []), relative, context)
        if problems:
            findings.append(unused_finding(path, comment, problems))
    return findings


def own_codes(comment: str) -> list[str]:
    """The codes of a noqa comment that are loopguard's, as written (``LG101``, ``LG2``)."""
    match = NOQA.search(comment)
    if match is None or not match.group("codes"):
        return []
    return [code for code in re.split(r"[,\s]+", match.group("codes")) if OWN_CODE.fullmatch(code)]


def judge_codes(codes: list[str], used: list[str], relative: str, context: NoqaContext) -> dict[str, list[str]]:
    """{"unused": [...], "unknown": [...], "duplicated": [...]} — only the kinds that occur. A code
    that is not enabled for this file (``--select``, ``ignore``, ``per-file-ignores``, an opt-in
    rule) is not judged: this run could not have found what it silences."""
    problems: dict[str, list[str]] = {}
    seen: set[str] = set()
    for code in codes:
        matching = [rule for rule in context.rules if rule.startswith(code)]
        if code in seen:
            kind = "duplicated"
        elif not matching:
            kind = "unknown"
        elif any(found.startswith(code) for found in used) or not any(
            context.enabled(rule, relative) for rule in matching
        ):
            kind = ""
        else:
            kind = "unused"
        seen.add(code)
        if kind:
            problems.setdefault(kind, []).append(code)
    return problems


def with_codes(comment: str, codes: list[str]) -> str:
    """The comment with its noqa's code list replaced by ``codes`` (``# noqa: E501, LG101``),
    everything around it kept (``# type: ignore  # noqa: LG101 - why``)."""
    match = NOQA.search(comment)
    if match is None:
        return comment
    return f"{comment[: match.start()]}# noqa: {', '.join(codes)}{comment[match.end() :]}"


def codes_left(comment: str, drop: set[str]) -> list[str]:
    """The codes of the comment's noqa without those in ``drop`` and without repeats of own codes."""
    match = NOQA.search(comment)
    kept: list[str] = []
    for code in re.split(r"[,\s]+", match.group("codes") or "") if match else []:
        if code and code not in drop and not (code in kept and OWN_CODE.fullmatch(code)):
            kept.append(code)
    return kept


def unused_finding(path: str, comment: Comment, problems: dict[str, list[str]]) -> Finding:
    details = "; ".join(f"{kind}: {', '.join(codes)}" for kind, codes in problems.items())
    codes = [code for kinds in problems.values() for code in kinds]
    left = codes_left(comment.text, set(problems.get("unused", []) + problems.get("unknown", [])))
    return Finding(
        path=path,
        line=comment.line,
        column=comment.column + 1,
        end_line=comment.line,
        end_column=comment.column + 1 + len(comment.text),
        code=UNUSED_CODE,
        name="unused-noqa",
        message=f"`# noqa` code{'s' if len(codes) > 1 else ''} that silence{'' if len(codes) > 1 else 's'} "
        f"nothing ({details})" + ("" if left else ": remove the noqa comment"),
        suggestion=with_codes(comment.text, left) if left else "",
    )


def mentions_noqa(data: bytes) -> bool:
    return MENTIONS_NOQA.search(data) is not None


def noqa_context(config: Config) -> NoqaContext:
    """LG021 is reported when selected; a code is enabled for a file when selected and not
    ignored there by ``per-file-ignores``."""
    rules = ALL_RULES

    def enabled(code: str, relative: str) -> bool:
        rule = rules.get(code)
        return (
            rule is not None
            and is_selected(rule, config.select, config.ignore)
            and not per_file_ignored(code, relative, config.per_file_ignores)
        )

    return NoqaContext(is_selected(UNUSED_NOQA, config.select, config.ignore), rules, enabled)


def source_reader(paths: Mapping[str, Path], buffers: Mapping[str, bytes]) -> Callable[[str], str | None]:
    """A reported path -> its text, when it mentions noqa at all (the buffer for standard input)."""

    def read_text(shown: str) -> str | None:
        try:
            data = buffers[shown] if shown in buffers else read_source(paths[shown])
            return decode_source(data) if mentions_noqa(data) else None
        except (KeyError, OSError, SourceRefused):
            return None

    return read_text
