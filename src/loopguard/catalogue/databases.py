"""Databases and caches (LG4xx)."""

from loopguard.models import Rule

_SA_ASYNC = (
    "`sqlalchemy.ext.asyncio` (`create_async_engine`, `async_sessionmaker`, "
    "`await session.execute(...)`)"
)
_SESSION_IO = (
    "execute", "scalars", "scalar", "get", "get_one", "commit", "rollback", "flush", "refresh", "merge",
    "connection", "close", "delete", "query",
)

RULES = (
    Rule(
        code="LG401",
        name="sqlalchemy-sync-session",
        domain="databases and caches",
        summary="I/O on a sync SQLAlchemy ORM `Session` (also `sessionmaker()` products and `scoped_session`).",
        methods=tuple(
            f"{owner}.{method}"
            for owner in ("sqlalchemy.orm.Session", "sqlalchemy.orm.scoped_session")
            for method in _SESSION_IO
            if method != "query"
        )
        + tuple(
            f"sqlalchemy.orm.Query.{method}"
            for method in ("all", "first", "one", "one_or_none", "scalar", "count", "get", "delete", "update")
        ),
        instead={"asyncio": _SA_ASYNC},
        why="A sync Session talks to the database on the calling thread; `add()` and statement builders "
        "do no I/O and are not reported.",
        example=(
            "from sqlalchemy.orm import Session\n\n"
            "from myapp.models import User\n\n\n"
            "async def get_user(session: Session, uid: int):\n"
            "    return session.get(User, uid)"
        ),
        use_instead=(
            "from sqlalchemy.ext.asyncio import AsyncSession\n\n"
            "from myapp.models import User\n\n\n"
            "async def get_user(session: AsyncSession, uid: int):\n"
            "    return await session.get(User, uid)"
        ),
    ),
    Rule(
        code="LG402",
        name="sqlalchemy-sync-engine",
        domain="databases and caches",
        summary="`Engine.connect/begin` and `Connection.execute/commit` on a sync SQLAlchemy engine.",
        methods=(
            "sqlalchemy.engine.Engine.connect",
            "sqlalchemy.engine.Engine.begin",
            "sqlalchemy.engine.Engine.raw_connection",
            "sqlalchemy.engine.Connection.execute",
            "sqlalchemy.engine.Connection.exec_driver_sql",
            "sqlalchemy.engine.Connection.scalar",
            "sqlalchemy.engine.Connection.scalars",
            "sqlalchemy.engine.Connection.commit",
            "sqlalchemy.engine.Connection.rollback",
        ),
        instead={
            "asyncio": "`sqlalchemy.ext.asyncio.create_async_engine` "
            "(`async with engine.connect() as conn`)"
        },
        why="A sync engine checks out a DBAPI connection and runs statements on the calling thread.",
        example=(
            "from sqlalchemy import Engine, text\n\n\n"
            "async def ping(engine: Engine):\n"
            "    with engine.connect() as conn:\n"
            "        return conn.execute(text('select 1'))"
        ),
        use_instead=(
            "from sqlalchemy import text\n"
            "from sqlalchemy.ext.asyncio import AsyncEngine\n\n\n"
            "async def ping(engine: AsyncEngine):\n"
            "    async with engine.connect() as conn:\n"
            "        return await conn.execute(text('select 1'))"
        ),
    ),
)

RETURNS = {
    "sqlalchemy.orm.sessionmaker": "sqlalchemy.orm.sessionmaker",
    "sqlalchemy.orm.sessionmaker.__call__": "sqlalchemy.orm.Session",
    "sqlalchemy.orm.sessionmaker.begin": "sqlalchemy.orm.Session",
    "sqlalchemy.orm.scoped_session": "sqlalchemy.orm.scoped_session",
    "sqlalchemy.orm.scoped_session.__call__": "sqlalchemy.orm.Session",
    "sqlalchemy.orm.Session.query": "sqlalchemy.orm.Query",
    "sqlalchemy.orm.scoped_session.query": "sqlalchemy.orm.Query",
    "sqlalchemy.orm.Query.filter": "sqlalchemy.orm.Query",
    "sqlalchemy.orm.Query.filter_by": "sqlalchemy.orm.Query",
    "sqlalchemy.orm.Query.order_by": "sqlalchemy.orm.Query",
    "sqlalchemy.orm.Query.limit": "sqlalchemy.orm.Query",
    "sqlalchemy.orm.Query.offset": "sqlalchemy.orm.Query",
    "sqlalchemy.orm.Query.join": "sqlalchemy.orm.Query",
    "sqlalchemy.orm.Query.options": "sqlalchemy.orm.Query",
    "sqlalchemy.create_engine": "sqlalchemy.engine.Engine",
    "sqlalchemy.engine.Engine.connect": "sqlalchemy.engine.Connection",
    "sqlalchemy.engine.Engine.begin": "sqlalchemy.engine.Connection",
    "sqlalchemy.orm.Session.begin": "sqlalchemy.orm.Session",
    "sqlalchemy.orm.Session.connection": "sqlalchemy.engine.Connection",
}

ALIASES = {
    "sqlalchemy.orm.session.Session": "sqlalchemy.orm.Session",
    "sqlalchemy.orm.session.sessionmaker": "sqlalchemy.orm.sessionmaker",
    "sqlalchemy.orm.scoping.scoped_session": "sqlalchemy.orm.scoped_session",
    "sqlalchemy.orm.query.Query": "sqlalchemy.orm.Query",
    "sqlalchemy.engine.create_engine": "sqlalchemy.create_engine",
    "sqlalchemy.engine.create.create_engine": "sqlalchemy.create_engine",
    "sqlalchemy.engine.base.Engine": "sqlalchemy.engine.Engine",
    "sqlalchemy.engine.base.Connection": "sqlalchemy.engine.Connection",
    "sqlalchemy.Engine": "sqlalchemy.engine.Engine",
    "sqlalchemy.Connection": "sqlalchemy.engine.Connection",
}
