"""Constructors are calls: ``Cls(...)`` of a project class runs the methods Python runs for it.

``type.__call__`` runs ``__new__`` and then ``__init__``; a dataclass's generated ``__init__`` runs
``__post_init__`` and an attrs class's runs ``__attrs_post_init__``. Each is looked up through the
class hierarchy in MRO order, the first project class that defines it answering (the resolver's
``member``, as for any method). A method a library base supplies is not followed: a class outside
the project is known only through the catalogue.

Why the post-init hooks are followed only when no project class defines ``__init__``: a class body
that writes its own ``__init__`` keeps it (dataclasses do not replace it), and then nothing calls
the hook.
"""

from __future__ import annotations

from collections.abc import Callable

#: Run by ``type.__call__``, in this order, with the call's own arguments.
CONSTRUCTION = ("__new__", "__init__")
#: Run by a generated ``__init__`` (dataclasses, attrs), with no argument of the call.
POST_INIT = ("__post_init__", "__attrs_post_init__")


def constructor_methods(
    class_qualname: str, function_for: Callable[[str], str | None]
) -> tuple[tuple[str, bool], ...]:
    """The project functions ``class_qualname(...)`` runs, each with whether the call's arguments
    are its arguments. ``function_for`` names the project function a method key resolves to
    (through the project bases, in MRO order), or None."""
    found: list[tuple[str, bool]] = []
    for name in CONSTRUCTION:
        method = function_for(f"{class_qualname}.{name}")
        if method is not None:
            found.append((method, True))
    if not any(method.endswith(".__init__") for method, _ in found):
        for name in POST_INIT:
            method = function_for(f"{class_qualname}.{name}")
            if method is not None:
                found.append((method, False))
    return tuple(found)
