"""What the main process remembers about project classes: where a class gets a member from, and
its method order (C3), each worked out once per project.

Planning asks both for every attribute read and every method called on an instance of a project
class, tens of thousands of times for a few thousand classes (homeassistant: 59,000 member
lookups, 24,000 distinct; 20,000 orders computed for 5,800 classes asked about). The answers do
not depend on which resolver asks (a class's bases are resolved in its own module), so one memo per
project serves every resolver. Each answer keeps the modules it read, recorded again at every use
(``GlobalProject.remembered``), so a plan depends on the same modules as without the memo.

An order asked for inside another class's order (its base's) is asked with the classes being
followed: a cycle or ``MAX_CHAIN`` cut there answers None where the same class asked alone would
not. Such an answer is never reused; a complete order (a tuple) is, when the followed classes
plus the order's own height stay within ``MAX_CHAIN`` — then asking again would meet no cut either
(a tuple means no base chain from the class comes back to it, so none reaches a class being
followed: those derive from it), and give the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any, Protocol, TypeVar

from loopguard.analysis.index import ModuleIndex
from loopguard.analysis.resolve import MAX_CHAIN, Member, Project, Resolver

T = TypeVar("T")

#: The name of the project's memo of member lookups, keyed by (class, name)
MEMBER = "<member>"
#: A class's order (None, ``DEFERRED_ORDER`` or the classes after it), how many project classes
#: deep its bases go (-1: not a project class), and the modules computing it read
KnownOrder = tuple["tuple[str, ...] | str | None", int, frozenset[str]]


class RememberingProject(Project, Protocol):
    """What a remembering resolver asks of the global project (``project.GlobalProject``)."""

    @property
    def known_orders(self) -> dict[str, KnownOrder]: ...

    @property
    def touched(self) -> set[str] | None: ...

    def memo(self, name: Hashable) -> dict[Any, tuple[Any, frozenset[str]]]: ...

    def answered(
        self,
        memo: dict[Any, tuple[Any, frozenset[str]]],
        key: Hashable,
        found: tuple[Any, frozenset[str]] | None,
        compute: Callable[..., T],
        *arguments: object,
    ) -> T: ...

    def read_apart(self, compute: Callable[[], T]) -> tuple[T, frozenset[str]]: ...

    def depend(self, modules: Iterable[str]) -> None: ...


class RememberingResolver(Resolver):
    """A resolver of the global project: members and method orders answered from its memos."""

    def __init__(self, index: ModuleIndex, project: RememberingProject) -> None:
        super().__init__(index, project)
        self.memory = project
        self.members = project.memo(MEMBER)  # (class, name) -> where it gets it, shared by every resolver

    def member(self, qualname: str, name: str) -> Member | None:
        key = (qualname, name)
        found = self.members.get(key)
        if found is not None:  # known: the modules it read recorded again here (``answered``)
            if found[1] and self.memory.touched is not None:
                self.memory.touched.update(found[1])
            member: Member | None = found[0]
            return member
        return self.memory.answered(self.members, key, found, Resolver.member, self, qualname, name)

    def method_order(self, qualname: str, following: set[str]) -> tuple[str, ...] | str | None:
        known = self.memory.known_orders.get(qualname)
        if known is not None and reusable(known, following):
            self.memory.depend(known[2])
            return known[0]
        order, used = self.memory.read_apart(lambda: Resolver.method_order(self, qualname, following))
        self.memory.depend(used)
        if not following or isinstance(order, tuple):
            height = self.height(qualname, order)
            if height is not None:
                self.memory.known_orders[qualname] = (order, height, used)
        return order

    def height(self, qualname: str, order: tuple[str, ...] | str | None) -> int | None:
        """How many project classes deep ``qualname``'s bases go (-1 for a class the project does
        not define); None when a class of its order is not known (then the order is not kept)."""
        if self.project.class_info(qualname) is None:
            return -1
        if not isinstance(order, tuple):
            return 0  # asked alone: reused only when asked alone again
        height = 0
        for later in order:  # the deepest base is below every class of its own order
            known = self.memory.known_orders.get(later)
            if known is None:
                return None
            height = max(height, known[1] + 1)
        return height


def reusable(known: KnownOrder, following: set[str]) -> bool:
    """Whether a remembered order is what asking again with ``following`` would give."""
    if not following:
        return True
    order, height, _used = known
    return isinstance(order, tuple) and len(following) + height < MAX_CHAIN


def property_names(modules: Iterable[ModuleIndex]) -> frozenset[str]:
    """The name of every property of every class of ``modules``."""
    names: set[str] = set()
    for index in modules:  # (8,600 classes in homeassistant, most without a property)
        for info in index.classes.values():
            if info.properties:
                names.update(info.properties)
    return frozenset(names)
