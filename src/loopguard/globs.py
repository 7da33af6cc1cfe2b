"""Glob patterns (``exclude``, ``per-file-ignores``) matched in time linear in the path.

The syntax is gitignore-like: ``*`` and ``?`` stay inside one path segment, ``**`` spans segments,
``**/`` stands for any number of leading directories (none included), a pattern without a slash
matches a name at any depth, and a pattern that matches a directory also matches everything below
it. Patterns come from the analysed repository's own ``pyproject.toml``, so they are hostile input:
translated to a Python regex, ``**/**/.../x.py`` backtracks exponentially on a deep path (30 of them
against 100 directories never finishes). Here a pattern is compiled to a small NFA, simulated one
character at a time over sets of states, with the sets cached as a lazily built DFA: every match
costs O(len(path) x len(pattern)) at worst and a dictionary look-up per character once warm.
"""

from __future__ import annotations

from functools import lru_cache

# Labels of NFA moves besides a literal character (which is always one character long).
ANY = "<any>"  # any character, '/' included
NAME = "<name>"  # any character but '/'
# Cached DFA states per pattern; past this the cache is rebuilt (a hostile pattern can make the
# subset construction large, but one match only ever visits len(path) + 1 states).
MAX_CACHED_STATES = 4096


class Nfa:
    """States are indices; ``moves[s]`` are (label, target) pairs, ``empty[s]`` the ε-moves."""

    def __init__(self) -> None:
        self.moves: list[list[tuple[str, int]]] = []
        self.empty: list[list[int]] = []

    def state(self) -> int:
        self.moves.append([])
        self.empty.append([])
        return len(self.moves) - 1

    def step(self, here: int, label: str) -> int:
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
            if label == char or label == ANY or (label == NAME and char != "/")
        }
        return self.closure(targets)


def glob_tokens(body: str) -> list[str]:
    """``src/**/test_*.py`` -> ['s', 'r', 'c', '/', '**/', 't', ..., '*', '.', 'p', 'y']."""
    tokens = []
    i = 0
    while i < len(body):
        for special in ("**/", "**", "*", "?"):
            if body.startswith(special, i):
                tokens.append(special)
                i += len(special)
                break
        else:
            tokens.append(body[i])
            i += 1
    return tokens


def build_nfa(pattern: str) -> tuple[Nfa, int, frozenset[int]]:
    """The NFA of ``pattern``, its start state and its accepting states."""
    anchored = "/" in pattern.rstrip("/")
    nfa = Nfa()
    start = here = nfa.state()
    if not anchored:
        here = nfa.leading_directories(here)
    for token in glob_tokens(pattern.strip("/")):
        if token == "**/":
            here = nfa.leading_directories(here)
        elif token in ("**", "*"):
            here = nfa.repeat(here, ANY if token == "**" else NAME)
        else:
            here = nfa.step(here, NAME if token == "?" else token)
    below = nfa.step(here, "/")  # a directory matches everything below it
    nfa.moves[below].append((ANY, below))
    return nfa, start, frozenset({here, below})


class Glob:
    """One compiled pattern; ``matches`` takes a '/'-separated path relative to the project root."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._nfa, start, self._accepting = build_nfa(pattern)
        self._start_states = self._nfa.closure({start})
        self._reset()

    def _reset(self) -> None:
        self._ids: dict[frozenset[int], int] = {}
        self._sets: list[frozenset[int]] = []
        self._accepts: list[bool] = []
        self._rows: list[dict[str, int]] = []  # state -> character -> next state, filled lazily
        self._dead = self._intern(frozenset())
        self._start = self._intern(self._start_states)

    def _intern(self, states: frozenset[int]) -> int:
        known = self._ids.get(states)
        if known is None:
            known = self._ids[states] = len(self._sets)
            self._sets.append(states)
            self._accepts.append(bool(states & self._accepting))
            self._rows.append({})
        return known

    def _transition(self, state: int, char: str) -> int:
        target = self._intern(self._nfa.advance(self._sets[state], char))
        self._rows[state][char] = target
        return target

    def matches(self, path: str) -> bool:
        if len(self._sets) > MAX_CACHED_STATES:
            self._reset()
        state, rows, dead = self._start, self._rows, self._dead
        for char in path:
            following = rows[state].get(char)
            state = self._transition(state, char) if following is None else following
            if state == dead:
                return False
        return self._accepts[state]


@lru_cache(maxsize=256)
def compile_glob(pattern: str) -> Glob:
    return Glob(pattern)
