"""Planning fixes: each fixable finding of a file -> a ``Fix``, edits of the file's text.

A fix replaces exactly the call the finding points at (its range is the finding's) with code that
libcst generates from the call's own nodes, so the arguments keep their comments and layout; an
import it needs is a second edit, an inserted line after the module's leading imports. Nothing
here writes a file: ``apply_fixes.py`` applies the edits, and checks the result.

Which fix a finding gets is data of its catalogue entry (``Rule.safe_fixes``, ``thread_fix``,
``lazy_results``); ``fixdata.py`` says in words what each does, for the rule pages.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import libcst as cst

from loopguard.fixdata import blocking_api, fix_may_exist
from loopguard.fixsites import BoundNames, CallSite, FixSites, find_sites, import_lines
from loopguard.models import SAFE, UNSAFE, Edit, Finding, Fix, Rule, library_used
from loopguard.sourcetext import split_lines
from loopguard.suppress import noqa_codes

#: The module and attribute path of "run this in a worker thread", per library.
THREAD_RUNNERS = {
    "asyncio": ("asyncio", "to_thread"),
    # an explicit ``import anyio.to_thread``: the submodule is not promised by ``import anyio``
    "anyio": ("anyio.to_thread", "run_sync"),
    "trio": ("trio", "to_thread.run_sync"),  # trio imports its to_thread itself
}


class CommentCounter(cst.CSTVisitor):
    """How many comments a subtree holds: a rewrite must keep every one."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def visit_Comment(self, node: cst.Comment) -> None:
        self.count += 1


def comments_in(node: cst.CSTNode) -> int:
    counter = CommentCounter()
    node.visit(counter)
    return counter.count


@dataclass(frozen=True, slots=True)
class FileContext:
    """What every fix of one file needs: its lines, its call sites, where an import goes."""

    lines: list[str]
    sites: FixSites  # the walk of the statements at the findings' lines and of the imports
    bound: BoundNames
    import_row: int  # the line before which an added import goes
    library: str
    newline: str

    @property
    def ends_with_newline(self) -> bool:
        return not self.lines or self.lines[-1].endswith(("\n", "\r"))

    def code(self, node: cst.CSTNode) -> str:
        return cst.Module(body=[], default_newline=self.newline).code_for_node(node)

    def source(self, start: tuple[int, int], end: tuple[int, int]) -> str:
        """The text from ``start`` to ``end`` (1-based lines, 0-based character columns)."""
        (line, column), (end_line, end_column) = start, end
        if line == end_line:
            return self.lines[line - 1][column:end_column]
        middle = self.lines[line : end_line - 1]
        return "".join([self.lines[line - 1][column:], *middle, self.lines[end_line - 1][:end_column]])

    def call_node(self, site: CallSite) -> cst.Call | None:
        """The call's own source, parsed by libcst (its comments and layout come with it)."""
        try:
            node = cst.parse_expression(self.source(site.start, site.end))
        except Exception:  # noqa: BLE001 - libcst refuses it (or its limits): no fix, never a crash
            return None
        return node if isinstance(node, cst.Call) else None

    def reference(self, module: str, attribute: str) -> tuple[str, str | None] | None:
        """How the code names ``module.attribute``, and the module to import for it (None when the
        module is imported already); None when the name is taken by something else."""
        imports, bound = self.sites.imports, self.bound
        names = sorted((n for n, m in imports.bindings.items() if m == module and n not in bound),
                       key=lambda n: n != module)
        if names:
            return f"{names[0]}.{attribute}", None
        root = module.partition(".")[0]
        if root in bound or imports.bindings.get(root, root) != root:
            return None  # `import asyncio` would be shadowed, or would shadow another binding
        if module in imports.loaded and imports.bindings.get(root) == root:
            return f"{module}.{attribute}", None
        return f"{module}.{attribute}", module

    def import_edit(self, module: str) -> Edit:
        line = f"import {module}"
        if self.import_row <= len(self.lines) or self.ends_with_newline:
            return Edit(self.import_row, 1, self.import_row, 1, line + self.newline)
        last = len(self.lines)  # the import goes after a last line that has no line break
        column = len(self.lines[-1]) + 1
        return Edit(last, column, last, column, self.newline + line)

    def touches_noqa(self, first: int, last: int) -> bool:
        """Whether a line of the range holds a ``# noqa`` (read on the raw line: one inside a
        string counts too, which only costs a fix)."""
        return any(noqa_codes(self.lines[line - 1]) is not None for line in range(first, last + 1))


def import_row(tree: ast.Module) -> int:
    """The line an added import is inserted before: after the module's docstring, ``__future__``
    imports and leading import statements; before its first statement when there are none."""
    body = tree.body
    index = 0
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        index = 1 if isinstance(body[0].value.value, str) else 0
    while index < len(body) and isinstance(body[index], (ast.Import, ast.ImportFrom)):
        index += 1
    if index > 0:
        return (body[index - 1].end_lineno or body[index - 1].lineno) + 1
    if not body:
        return 1
    first = body[0]
    decorated = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    decorators = first.decorator_list if isinstance(first, decorated) else []
    return min([first.lineno, *(decorator.lineno for decorator in decorators)])


def first_newline(text: str) -> str:
    """The file's line break, as libcst picks a module's default: the first one found."""
    for index, char in enumerate(text):
        if char == "\n":
            return "\n"
        if char == "\r":
            return "\r\n" if text[index + 1 : index + 2] == "\n" else "\r"
    return "\n"


def file_context(text: str, lines_asked: Sequence[int]) -> FileContext | None:
    """What the fixes of one file's calls at ``lines_asked`` need."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences are the user's business
            tree = ast.parse(text)
        lines = split_lines(text)
        sites = find_sites(tree, lines, sorted({*lines_asked, *import_lines(lines)}))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # it was checked a moment ago; if it does not parse now, it gets no fix
    return FileContext(
        lines, sites, BoundNames(tree, lines), import_row(tree), library_used(sites.imports.roots),
        first_newline(text),
    )


def plan_fixes(
    text: str, findings: Sequence[Finding], rules: Mapping[str, Rule]
) -> dict[Finding, Fix]:
    """The available fix of each finding of one file (``text``) that has one."""
    if not any(fix_may_exist(f, rules.get(f.code)) for f in findings):
        return {}
    context = file_context(text, [finding.line for finding in findings])
    if context is None:
        return {}
    fixes = {}
    for finding in findings:
        fix = plan_fix(finding, rules.get(finding.code), context)
        if fix is not None:
            fixes[finding] = fix
    return fixes


def plan_fix(finding: Finding, rule: Rule | None, context: FileContext) -> Fix | None:
    if rule is None or not fix_may_exist(finding, rule):
        return None
    site = call_site(finding, context.sites.sites.get((finding.line, finding.column - 1), []))
    if site is None:
        return None  # not a call (``with lock:``, iterating a cursor): nothing to rewrite
    if not site.await_legal or site.held or context.touches_noqa(site.start[0], site.end[0]):
        return None
    api = blocking_api(finding)
    if api is not None and api in rule.safe_fixes:
        rewrite = REWRITERS[rule.safe_fixes[api]]
    elif rule.thread_fix and not (api is not None and (api in rule.lazy_results or is_protocol(api))):
        rewrite = thread_fix
    else:
        return None
    call = context.call_node(site)
    return None if call is None else rewrite(Target(finding, site, call), context)


#: Methods a call of the class runs: the call site names the class, the chain the method.
CONSTRUCTION = frozenset({"__init__", "__new__", "__post_init__"})


def called_name(finding: Finding) -> str:
    """The name the finding's call calls: the API's last part, or the helper's of a chain."""
    api = blocking_api(finding)
    qualname = api if api is not None else finding.chain[0].call.removesuffix("()") if finding.chain else ""
    owner, _, name = qualname.rpartition(".")
    return owner.rpartition(".")[2] if name in CONSTRUCTION else name


def call_site(finding: Finding, sites: list[CallSite]) -> CallSite | None:
    """The call the finding is about among those starting where it does. Several start there in
    ``a().b()``, and then the finding's end may be the inner call's (the checker keys its calls by
    where they start): the call is chosen by the name it calls; alone, by its range."""
    name = called_name(finding)
    named = [site for site in sites if site.callee == name]
    if len(named) == 1:
        return named[0]
    end = (finding.end_line, finding.end_column - 1)
    if len(sites) == 1 and sites[0].end == end:
        return sites[0]  # an alias (``from time import sleep as pause``) calls another name
    return None


#: ``Type.__iter__``, ``Type.__enter__``: the finding is about how a value is used, not a call.
PROTOCOL_METHODS = frozenset({"__iter__", "__next__", "__enter__", "__exit__", "__getitem__", "__len__"})


def is_protocol(api: str) -> bool:
    return api.rpartition(".")[2] in PROTOCOL_METHODS


@dataclass(frozen=True, slots=True)
class Target:
    """The finding a fix is for, where its call stands, and the call as libcst parsed it."""

    finding: Finding
    site: CallSite
    call: cst.Call


def single_argument(call: cst.Call) -> cst.BaseExpression | None:
    """The argument of a call given exactly one positional argument, else None."""
    if len(call.args) != 1 or call.args[0].keyword is not None or call.args[0].star:
        return None
    return call.args[0].value


def make_fix(
    applicability: str, message: str, target: Target, context: FileContext,
    replacement: cst.BaseExpression, imports: Sequence[str],
) -> Fix | None:
    """The fix that puts ``await replacement`` where the call is; None when it would drop a
    comment."""
    if comments_in(replacement) != comments_in(target.call):
        return None
    content = f"await {context.code(replacement)}"
    if target.site.in_primary:  # `await f().x` would await `f().x`
        content = f"({content})"
    (line, column), (end_line, end_column) = target.site.start, target.site.end
    edit = Edit(line, column + 1, end_line, end_column + 1, content)
    added = tuple(context.import_edit(module) for module in dict.fromkeys(imports))
    return Fix(applicability, message, (edit, *added))


def sleep_fix(target: Target, context: FileContext) -> Fix | None:
    """``time.sleep(x)`` -> ``await asyncio.sleep(x)`` (or anyio's, trio's)."""
    if single_argument(target.call) is None:
        return None
    reference = context.reference(context.library, "sleep")
    if reference is None:
        return None
    name, module = reference
    replacement = target.call.with_changes(func=cst.parse_expression(name), lpar=[], rpar=[])
    message = f"Replace with `await {name}(...)`"
    return make_fix(SAFE, message, target, context, replacement, [module] if module else [])


#: What ``await`` may precede without parentheses (a primary expression).
PRIMARIES = (cst.Name, cst.Attribute, cst.Call, cst.Subscript)


def await_coroutine_fix(target: Target, context: FileContext) -> Fix | None:
    """``asyncio.run(coro)`` / ``loop.run_until_complete(coro)`` -> ``await coro``."""
    coroutine = single_argument(target.call)
    if coroutine is None:
        return None
    if not isinstance(coroutine, PRIMARIES) and not coroutine.lpar:
        coroutine = coroutine.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    message = "Replace with `await` of the coroutine"
    return make_fix(SAFE, message, target, context, coroutine, [])


REWRITERS: dict[str, Callable[[Target, FileContext], Fix | None]] = {
    "async-sleep": sleep_fix,
    "await-coroutine": await_coroutine_fix,
}


def with_leading_argument(call: cst.Call, first: cst.BaseExpression) -> list[cst.Arg]:
    """``call``'s arguments with ``first`` before them, laid out as the first one was."""
    if not call.args:
        return [cst.Arg(first)]
    gap = call.whitespace_before_args
    after: cst.BaseParenthesizableWhitespace = cst.SimpleWhitespace(" ")
    if isinstance(gap, cst.ParenthesizedWhitespace):  # one per line: the same line break and indent
        after = gap.with_changes(first_line=cst.TrailingWhitespace())  # a comment stays after "("
    return [cst.Arg(first, comma=cst.Comma(whitespace_after=after)), *call.args]


def thread_fix(target: Target, context: FileContext) -> Fix | None:
    """``f(*args, **kwargs)`` -> ``await asyncio.to_thread(f, *args, **kwargs)``; anyio's and trio's
    ``run_sync`` take no keywords for ``f``: ``run_sync(functools.partial(f, *args, **kwargs))``."""
    call = target.call
    module, attribute = THREAD_RUNNERS[context.library]
    runner = context.reference(module, attribute)
    if runner is None:
        return None
    runner_name, runner_import = runner
    imports = [runner_import] if runner_import else []
    keywords = any(arg.keyword is not None or arg.star == "**" for arg in call.args)
    if keywords and context.library != "asyncio":
        partial = context.reference("functools", "partial")
        if partial is None:
            return None
        partial_name, partial_import = partial
        imports += [partial_import] if partial_import else []
        bound = call.with_changes(
            func=cst.parse_expression(partial_name), args=with_leading_argument(call, call.func),
            lpar=[], rpar=[],
        )
        replacement = call.with_changes(
            func=cst.parse_expression(runner_name), args=[cst.Arg(bound)], lpar=[], rpar=[],
            whitespace_before_args=cst.SimpleWhitespace(""),
        )
    else:
        arguments = with_leading_argument(call, call.func)
        replacement = call.with_changes(
            func=cst.parse_expression(runner_name), args=arguments, lpar=[], rpar=[]
        )
    callee = context.code(call.func)
    message = f"Run `{callee}` in a worker thread with `{runner_name}`"
    return make_fix(UNSAFE, message, target, context, replacement, imports)


def planned_fixes(
    text: str, findings: Sequence[Finding], rules: Mapping[str, Rule]
) -> tuple[Fix | None, ...] | None:
    """The fix of each finding (in order), whatever the project lets ``--fix`` fix: planned in the
    confirm stage's worker, next to the libcst work, so that the main process does not parse the
    file again to describe them (``fix_command.available_fixes`` picks the fixable ones). None when
    planning failed: the main process plans the file again, and reports what went wrong."""
    try:
        fixes = plan_fixes(text, findings, rules)
    except Exception:  # noqa: BLE001 - not planned: the main process plans it again, and says why
        return None
    return tuple(fixes.get(finding) for finding in findings)
