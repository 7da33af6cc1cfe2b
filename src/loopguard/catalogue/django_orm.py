"""The Django ORM in a coroutine (LG410, in the databases domain LG4xx).

``Model.objects`` is typed for any project class whose bases reach ``django.db.models.Model`` (the
resolver answers attributes a project class does not define from its library base). A manager or
QuerySet method that runs a query is reported; ``filter()``, ``exclude()``, ``order_by()`` and the other
builders return a lazy QuerySet and are silent, and so are the ``a``-prefixed async methods
(``aget``, ``acount``, ``acreate`` ...) and ``async for`` over a QuerySet. Iterating a QuerySet is
reported where the loop can be seen at a call: ``list(qs)``, ``len(qs)``, ``sorted(qs)``, and a sync
``for`` or comprehension directly over a QuerySet-returning call (``for u in User.objects.all():``).
Model instances from ``Model(...)``, ``get()``, ``first()``, ``create()`` ... report ``save()``,
``delete()``, ``refresh_from_db()`` and ``full_clean()``.
"""

from loopguard.catalogue.advice import asyncio_library
from loopguard.models import Rule

_MODEL = "django.db.models.Model"
_MANAGER = "django.db.models.Manager"
_QUERYSET = "django.db.models.QuerySet"
_CURSOR = "django.db.backends.utils.CursorWrapper"
# methods of managers and QuerySets that run a query, and what they return when that is an instance
_QUERIES = {
    "get": _MODEL, "first": _MODEL, "last": _MODEL, "earliest": _MODEL, "latest": _MODEL, "create": _MODEL,
    "count": "", "exists": "", "contains": "", "update": "", "delete": "", "get_or_create": "",
    "update_or_create": "", "bulk_create": "", "bulk_update": "", "aggregate": "", "in_bulk": "",
    "iterator": "", "explain": "",
}
# lazy builders: they return a QuerySet without touching the database
_BUILDERS = (
    "all", "filter", "exclude", "order_by", "select_related", "prefetch_related", "annotate", "alias",
    "values", "values_list", "distinct", "only", "defer", "using", "none", "reverse", "extra",
    "select_for_update", "union", "intersection", "difference", "dates", "datetimes",
)

RULES = (
    Rule(
        code="LG410",
        name="django-orm-sync-query",
        thread_fix=False,
        fix_safety="No thread fix: Django keeps a database connection per thread, so a query in an arbitrary "
        "worker thread leaves the request's transaction; `asgiref.sync.sync_to_async` runs it where Django expects.",
        domain="databases and caches",
        summary="Django ORM queries in a coroutine: `Model.objects.get/first/last/count/exists/create/"
        "update/get_or_create/update_or_create/bulk_create/aggregate/in_bulk/...`, the same on "
        "QuerySets, iterating a QuerySet (`list(qs)`, `for x in Model.objects.all()`), "
        "`instance.save()/delete()/refresh_from_db()`, `connection.cursor()` queries.",
        methods=(
            *(f"{owner}.{method}" for owner in (_MANAGER, _QUERYSET) for method in _QUERIES),
            f"{_QUERYSET}.__iter__",
            f"{_QUERYSET}.__len__",
            *(f"{_MODEL}.{method}" for method in ("save", "delete", "refresh_from_db", "full_clean",
                                                   "validate_unique")),
            *(f"{_CURSOR}.{method}" for method in ("execute", "executemany", "callproc", "fetchone",
                                                    "fetchmany", "fetchall")),
        ),
        instead=asyncio_library(
            "the async ORM methods (`await Model.objects.aget(...)`, `acount`, `acreate`, "
            "`instance.asave()`, `async for obj in qs`), or asgiref's `sync_to_async` for the rest",
            "Model.objects.get",
        ),
        why="The ORM runs the query on the calling thread; Django raises `SynchronousOnlyOperation` "
        "for it in an async context unless `DJANGO_ALLOW_ASYNC_UNSAFE` hides the problem.",
        example=(
            "from django.db import models\n"
            "from django.utils.timezone import now\n\n\n"
            "class Profile(models.Model):\n"
            "    last_seen = models.DateTimeField(null=True)\n\n\n"
            "async def touch(request, pk):\n"
            "    profile = Profile.objects.get(pk=pk)\n"
            "    profile.last_seen = now()\n"
            "    profile.save()"
        ),
        use_instead=(
            "from django.db import models\n"
            "from django.utils.timezone import now\n\n\n"
            "class Profile(models.Model):\n"
            "    last_seen = models.DateTimeField(null=True)\n\n\n"
            "async def touch(request, pk):\n"
            "    profile = await Profile.objects.aget(pk=pk)\n"
            "    profile.last_seen = now()\n"
            "    await profile.asave()"
        ),
    ),
)

RETURNS = {
    **{f"{owner}.{builder}": _QUERYSET for owner in (_MANAGER, _QUERYSET) for builder in _BUILDERS},
    **{f"{owner}.{m}": returned for owner in (_MANAGER, _QUERYSET) for m, returned in _QUERIES.items() if returned},
    **{f"{owner}.a{m}": returned for owner in (_MANAGER, _QUERYSET) for m, returned in _QUERIES.items() if returned},
    f"{_MANAGER}.get_queryset": _QUERYSET,
    f"{_QUERYSET}.as_manager": _MANAGER,
    "django.db.connection.cursor": _CURSOR,
    "django.db.backends.base.base.BaseDatabaseWrapper.cursor": _CURSOR,
}

ATTRIBUTES = {f"{_MODEL}.objects": _MANAGER}

# Django's own models and their abstract bases answer as `Model`, their managers as `Manager`.
ALIASES = {
    "django.db.models.base.Model": _MODEL,
    "django.db.models.manager.Manager": _MANAGER,
    "django.db.models.query.QuerySet": _QUERYSET,
    "django.contrib.gis.db.models.Model": _MODEL,
    **{
        f"django.contrib.{model}": _MODEL
        for model in (
            "auth.models.User", "auth.models.Group", "auth.models.Permission", "auth.models.AbstractUser",
            "auth.models.AbstractBaseUser", "auth.base_user.AbstractBaseUser", "auth.models.PermissionsMixin",
            "contenttypes.models.ContentType", "sessions.models.Session", "sites.models.Site",
        )
    },
    "django.contrib.auth.models.UserManager": _MANAGER,
    "django.contrib.auth.models.BaseUserManager": _MANAGER,
    "django.contrib.auth.base_user.BaseUserManager": _MANAGER,
}
