"""What Python's own builtins and decorators do to the calls around them (not a domain: no rules).

They block nothing themselves, but the analysis needs to know them to see what does: ``list(rows)``
iterates ``rows`` (a Django QuerySet's ``__iter__`` runs the query), and ``@staticmethod`` leaves
calling the function a call of its body.
"""

from __future__ import annotations

#: Builtins that consume what they are given as their first argument, and the special method of
#: its type that does it: ``list(queryset)`` is ``QuerySet.__iter__``, ``len(queryset)``
#: ``QuerySet.__len__``. On an argument of unknown type they are what they are (``builtins.list``).
CONSUMERS: dict[str, str] = {
    **{f"builtins.{name}": "__iter__" for name in ("list", "tuple", "set", "frozenset", "sorted")},
    "builtins.len": "__len__",
    # ``next(it)`` takes one item of the iteration: what iterating ``it`` does, once
    "builtins.next": "__iter__",
    # ``for n, row in enumerate(cursor)``: enumerate is lazy, but it is written to be iterated at once
    "builtins.enumerate": "__iter__",
}

#: Decorators after which calling the function is still a call of its own body (any other
#: decorator may replace the function, so its body is not followed through an awaited call).
TRANSPARENT_DECORATORS = frozenset(
    {"builtins.staticmethod", "builtins.classmethod", "abc.abstractmethod"}
)
