"""Glob patterns (``exclude``, ``per-file-ignores``) matched in time linear in the path.

The syntax is gitignore-like: ``*`` and ``?`` stay inside one path segment, ``**`` spans segments,
``**/`` stands for any number of leading directories (none included), a pattern without a slash
matches a name at any depth, and a pattern that matches a directory also matches everything below
it. Patterns come from the analysed repository's own ``pyproject.toml``, so they are hostile input:
translated to a Python regex, ``**/**/.../x.py`` backtracks exponentially on a deep path (30 of them
against 100 directories never finishes). Here patterns are compiled to one small NFA, simulated
one character at a time over sets of states, with the sets cached as a lazily built DFA: a match
costs O(len(path) x len(patterns)) at worst and a dictionary look-up per character once warm,
however many patterns there are (``gitignore.py`` runs a whole ignore file this way).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

# Labels of NFA moves besides a literal character (which is always one character long).
ANY = "<any>"  # any character, '/' included
NAME = "<name>"  # any character but '/'
# Tokens of a pattern besides a literal character; longer than one character, so an escaped
# literal '*' (in a .gitignore) can never be mistaken for a wildcard.
DIRECTORIES = "<**/>"  # nothing, or any text ending in '/'
ANY_RUN = "<**>"  # any text
NAME_RUN = "<*>"  # any text without '/'
NAME_CHAR = "<?>"  # one character but '/'


@dataclass(frozen=True, slots=True)
class CharClass:
    """``[a-z_]`` or ``[!0-9]``: one character but '/', in (or, negated, not in) the set."""

    negated: bool
    singles: frozenset[str]
    ranges: tuple[tuple[str, str], ...] = ()

    def __contains__(self, char: str) -> bool:
        inside = char in self.singles or any(low <= char <= high for low, high in self.ranges)
        return char != "/" and inside != self.negated


Label = str | CharClass
Token = str | CharClass
# Cached DFA states per pattern; past this the cache is rebuilt (a hostile pattern can make the
# subset construction large, but one match only ever visits len(path) + 1 states).
MAX_CACHED_STATES = 4096


class Nfa:
    """States are indices; ``moves[s]`` are (label, target) pairs, ``empty[s]`` the ε-moves."""

    def __init__(self) -> None:
        self.moves: list[list[tuple[Label, int]]] = []
        self.empty: list[list[int]] = []

    def state(self) -> int:
        self.moves.append([])
        self.empty.append([])
        return len(self.moves) - 1

    def step(self, here: int, label: Label) -> int:
        """One character matching ``label``."""
        target = self.state()
        self.moves[here].append((label, target))
        return target

    def repeat(self, here: int, label: str) -> int:
        """Zero or more characters matching ``label`` (``*`` or ``**``)."""
        loop = self.state()
        self.empty[here].append(loop)
        self.moves[loop].append((label, loop))
        return loop

    def leading_directories(self, here: int) -> int:
        """Nothing, or any text ending in '/' (``**/``, and the start of an unanchored pattern)."""
        after, inside = self.state(), self.state()
        self.empty[here] += [after, inside]
        self.moves[inside] += [(ANY, inside), ("/", after)]
        return after

    def closure(self, states: set[int]) -> frozenset[int]:
        pending = list(states)
        reached = set(states)
        while pending:
            for target in self.empty[pending.pop()]:
                if target not in reached:
                    reached.add(target)
                    pending.append(target)
        return frozenset(reached)

    def advance(self, states: frozenset[int], char: str) -> frozenset[int]:
        targets = {
            target
            for state in states
            for label, target in self.moves[state]
            if label == char
            or label == ANY
            or (label == NAME and char != "/")
            or (isinstance(label, CharClass) and char in label)
        }
        return self.closure(targets)


WILDCARDS = (("**/", DIRECTORIES), ("**", ANY_RUN), ("*", NAME_RUN), ("?", NAME_CHAR))


def glob_tokens(body: str) -> list[Token]:
    """``src/**/t*.py`` -> ['s', 'r', 'c', '/', DIRECTORIES, 't', NAME_RUN, '.', 'p', 'y']."""
    tokens: list[Token] = []
    i = 0
    while i < len(body):
        for special, token in WILDCARDS:
            if body.startswith(special, i):
                tokens.append(token)
                i += len(special)
                break
        else:
            tokens.append(body[i])
            i += 1
    return tokens


@dataclass(frozen=True, slots=True)
class Pattern:
    """A parsed glob: its tokens; unanchored, it may start after any '/'; with ``below``, a match
    also covers every path below it (a pattern matching a directory matches what it holds)."""

    tokens: tuple[Token, ...]
    anchored: bool
    below: bool = True


def add_pattern(nfa: Nfa, pattern: Pattern) -> tuple[int, list[int]]:
    """Add the states of ``pattern`` to ``nfa``; return its start state and its accepting states."""
    start = here = nfa.state()
    if not pattern.anchored:
        here = nfa.leading_directories(here)
    for token in pattern.tokens:
        if token == DIRECTORIES:
            here = nfa.leading_directories(here)
        elif token in (ANY_RUN, NAME_RUN):
            here = nfa.repeat(here, ANY if token == ANY_RUN else NAME)
        else:
            here = nfa.step(here, NAME if token == NAME_CHAR else token)
    if not pattern.below:
        return start, [here]
    inside = nfa.step(here, "/")
    nfa.moves[inside].append((ANY, inside))
    return start, [here, inside]


class Globs:
    """Several patterns run as one automaton: one pass over a path says which of them match it.

    ``matching`` takes a '/'-separated path relative to the project root (or to the directory of an
    ignore file) and returns the indices of the patterns that match it.
    """

    def __init__(self, patterns: Sequence[Pattern]) -> None:
        self._nfa = Nfa()
        self._owner: dict[int, int] = {}  # accepting NFA state -> index of its pattern
        starts = set()
        for index, pattern in enumerate(patterns):
            start, accepting = add_pattern(self._nfa, pattern)
            starts.add(start)
            self._owner.update(dict.fromkeys(accepting, index))
        self._start_states = self._nfa.closure(starts)
        self._reset()

    def _reset(self) -> None:
        self._ids: dict[frozenset[int], int] = {}
        self._sets: list[frozenset[int]] = []
        self._accepts: list[frozenset[int]] = []
        self._rows: list[dict[str, int]] = []  # state -> character -> next state, filled lazily
        self._dead = self._intern(frozenset())
        self._start = self._intern(self._start_states)

    def _intern(self, states: frozenset[int]) -> int:
        known = self._ids.get(states)
        if known is None:
            known = self._ids[states] = len(self._sets)
            self._sets.append(states)
            self._accepts.append(frozenset(self._owner[s] for s in states if s in self._owner))
            self._rows.append({})
        return known

    def _transition(self, state: int, char: str) -> int:
        target = self._intern(self._nfa.advance(self._sets[state], char))
        self._rows[state][char] = target
        return target

    def matching(self, path: str) -> frozenset[int]:
        if len(self._sets) > MAX_CACHED_STATES:
            self._reset()
        state, rows, dead = self._start, self._rows, self._dead
        for char in path:
            following = rows[state].get(char)
            state = self._transition(state, char) if following is None else following
            if state == dead:
                break
        return self._accepts[state]

    def matches(self, path: str) -> bool:
        return bool(self.matching(path))


def exclude_pattern(glob: str) -> Pattern:
    """An ``exclude``/``per-file-ignores`` glob (module docstring): no escapes, ``**`` spans."""
    return Pattern(tuple(glob_tokens(glob.strip("/"))), anchored="/" in glob.rstrip("/"))


@lru_cache(maxsize=256)
def compile_globs(globs: tuple[str, ...]) -> Globs:
    return Globs([exclude_pattern(glob) for glob in globs])


def compile_glob(glob: str) -> Globs:
    return compile_globs((glob,))
