"""One documentation page per rule, generated from the catalogue (docs/rules/ and ``explain``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from loopguard.catalogue import ALL_RULES, BUFFER_READERS, BUILT_AS
from loopguard.console import EXIT_CLEAN, EXIT_ERROR, fail
from loopguard.fixdata import fix_safety_text
from loopguard.models import LIBRARIES, NonWaiting, Rule, built_type
from loopguard.report import quote_code

GENERATED_NOTE = "<!-- generated from the catalogue by `python -m loopguard.ruledocs`; do not edit -->"


def _matches(rule: Rule) -> str:
    names = [f"- `{name}()`" for name in rule.functions]
    for owners, methods in _methods_by_owner(rule.methods):
        shown = ", ".join(f"`{owner}`" for owner in owners)
        if methods == ("*",):
            safe = ", ".join(f"`{m}`" for m in rule.safe_methods)
            names.append(f"- every method of {shown} objects" + (f" except {safe}" if safe else ""))
        else:
            names.append(f"- {shown} objects: " + ", ".join(f"`.{name}()`" for name in methods))
    if not names:  # the tool's own codes (LG001, LG011) and configured calls (LG801) list no APIs
        return ""
    return "\n\nIt matches, in code that runs on the event loop:\n\n" + "\n".join(names)


def _methods_by_owner(methods: tuple[str, ...]) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """``Type.method`` names as (types, their methods), in first-seen order: one line per type, and
    one line for the types that share the same methods (LG504's fifteen file types)."""
    by_owner: dict[str, list[str]] = {}
    for method in methods:
        owner, _, name = method.rpartition(".")
        if owner != built_type(owner):  # a type built a particular way: see ``_built_as``
            continue
        by_owner.setdefault(owner, []).append(name)
    by_methods: dict[tuple[str, ...], list[str]] = {}
    for owner, names in by_owner.items():
        by_methods.setdefault(tuple(names), []).append(owner)
    return [(tuple(owners), names) for names, owners in by_methods.items()]


def _non_waiting(rule: Rule) -> str:
    """The arguments for which a call does not wait (``Rule.non_waiting``), as a list."""
    lines = []
    for name, conditions in rule.non_waiting.items():
        for condition in conditions:
            what = f"reported with its own message: {condition.note}" if condition.note else "not reported"
            lines.append(f"- `{name}(...)` with {_argument(condition)}: {what}")
    if not lines:
        return ""
    return "\n\nFor these arguments the call does not wait:\n\n" + "\n".join(lines)


def _argument(condition: NonWaiting) -> str:
    """How a ``NonWaiting`` condition's argument is given: "argument 1 left out, `''` or `host=''`"."""
    if condition.given:
        return f"`{condition.keyword}=` given (not `None`)"
    if condition.computed:
        return f"`{condition.keyword}=` given an object, not a literal"
    if condition.position < 0:
        return f"`{condition.keyword}={condition.value!r}`"
    if condition.flag:
        return f"argument {condition.position + 1} or `{condition.keyword}=` including `{condition.flag}`"
    keyword = f" or `{condition.keyword}={condition.value!r}`" if condition.keyword else ""
    omitted = " left out," if condition.left_out else ""
    return f"argument {condition.position + 1}{omitted} `{condition.value!r}`{keyword}"


def _built_as(rule: Rule) -> str:
    """The constructions after which some of the rule's methods do not wait (``BUILT_AS``)."""
    owners: dict[str, set[str]] = {}
    for method in rule.methods:
        owner, _, name = method.rpartition(".")
        owners.setdefault(owner, set()).add(name)
    lines = []
    for constructor, built in BUILT_AS.items():
        spared = owners.get(built_type(built.variant), set()) - owners.get(built.variant, set())
        if built.variant in owners and spared:
            calls = ", ".join(f"`.{name}()`" for name in sorted(spared))
            lines.append(
                f"- on what `{constructor}(...)` builds with argument {built.position + 1} left out, "
                f"`{built.value!r}` or `{built.keyword}={built.value!r}`: {calls} not reported"
            )
    return "\n" + "\n".join(lines) if lines else ""


def _buffers(rule: Rule) -> str:
    """The in-memory arguments on which the rule's functions do no I/O (``BUFFER_READERS``)."""
    lines = [
        f"- `{function}(...)` on an in-memory `{'`/`'.join(buffers)}`: not reported"
        for function, buffers in BUFFER_READERS.items()
        if function in rule.functions
    ]
    return "\n\nFor these arguments the call does no I/O:\n\n" + "\n".join(lines) if lines else ""


def _configuration(rule: Rule) -> list[str]:
    """The ``pyproject.toml`` an example needs (an opt-in rule's ``select``, LG801's table), if any."""
    if not rule.example_config:
        return []
    return ["With this in `pyproject.toml`:", f"```toml\n{rule.example_config}\n```"]


def rule_page(rule: Rule) -> str:
    instead = "\n".join(f"- {lib}: {quote_code(rule.suggestion(lib).replace('{api}', 'f'))}" for lib in LIBRARIES)
    sections = [
        GENERATED_NOTE,
        f"# {rule.code} `{rule.name}`",
        f"Domain: {rule.domain}." + ("" if rule.default_enabled else " Opt-in: select it explicitly."),
        "## What it does",
        rule.summary + _matches(rule) + _non_waiting(rule) + _built_as(rule) + _buffers(rule),
        "## Why is this bad?",
        rule.why or rule.summary,
    ]
    if rule.example:
        sections += ["## Example", *_configuration(rule), f"```python\n{rule.example}\n```"]
    sections += ["## Use instead"]
    if rule.use_instead:
        sections += [f"```python\n{rule.use_instead}\n```"]
    if any(rule.suggestion(lib) for lib in LIBRARIES):
        sections += ["The suggestion names the async library the file already imports:\n\n" + instead]
    sections += ["## Fix safety", fix_safety_text(rule), "## Options", _options(rule)]
    return "\n\n".join(sections) + "\n"


def _options(rule: Rule) -> str:
    # imported here: ``explain`` would otherwise load the file discovery that ``suppress`` needs
    from loopguard.suppress import UNSUPPRESSIBLE

    if rule.code in UNSUPPRESSIBLE:
        return "None: a file that could not be checked is always reported, whatever the configuration."
    return (
        "- `select` / `ignore` / `per-file-ignores` with this code or a prefix of it\n"
        "- `safe-calls` to exempt a specific qualified name\n"
        "- `# noqa: " + rule.code + "` on the line"
    )


def explain(code: str, write: Callable[[str], object]) -> int:
    """``loopguard explain CODE``: the rule's page, written with ``write``; an error for a code that
    names no rule."""
    rule = ALL_RULES.get(code.upper())
    if rule is None:
        fail(f"unknown code '{code}'; `loopguard rules` lists them")
        return EXIT_ERROR
    write(rule_page(rule))
    return EXIT_CLEAN


def rule_list(output_format: str = "text") -> str:
    """``loopguard rules``: every code, its name and what it matches, grouped by domain (``text``),
    or as a JSON array (``json``)."""
    ordered = sorted(ALL_RULES.values(), key=lambda r: r.code)
    if output_format == "json":
        import json

        data = [
            {"code": r.code, "name": r.name, "domain": r.domain, "summary": r.summary,
             "default_enabled": r.default_enabled,
             "fix": {"safe": sorted(r.safe_fixes), "unsafe": r.thread_fix}}
            for r in ordered
        ]
        return json.dumps(data, indent=2) + "\n"
    by_domain: dict[str, list[str]] = {}
    for rule in ordered:
        opt_in = "" if rule.default_enabled else " (opt-in)"
        by_domain.setdefault(rule.domain, []).append(f"  {rule.code}  {rule.name:<28} {rule.summary}{opt_in}")
    return "".join(f"{domain}:\n" + "\n".join(lines) + "\n" for domain, lines in by_domain.items())


def index_page() -> str:
    rows = ["| code | name | domain | what it matches |", "|---|---|---|---|"]
    for code, rule in sorted(ALL_RULES.items()):
        rows.append(f"| [{code}]({code}.md) | `{rule.name}` | {rule.domain} | {rule.summary} |")
    return GENERATED_NOTE + "\n\n# Rules\n\n" + "\n".join(rows) + "\n"


def expected_pages() -> dict[str, str]:
    pages = {f"{code}.md": rule_page(rule) for code, rule in ALL_RULES.items()}
    pages["index.md"] = index_page()
    return pages


def write_pages(directory: Path) -> list[str]:
    """Write every page; returns the names of the files that changed."""
    directory.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, text in expected_pages().items():
        target = directory / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            changed.append(name)
    return changed


if __name__ == "__main__":
    for name in write_pages(Path(__file__).resolve().parents[2] / "docs" / "rules"):
        print(f"wrote docs/rules/{name}")
