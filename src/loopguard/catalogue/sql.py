"""SQL database drivers (LG403-LG406, in the databases domain LG4xx): sqlite3, psycopg2, psycopg 3,
and the MySQL drivers.

Connections are typed from ``connect()`` and annotations; ``conn.cursor()`` (local) gives a cursor.
Connecting, executing, committing and rolling back do I/O. ``fetch*`` is reported where it reads from
the server or the file: sqlite3 steps the statement on every fetch, and psycopg 3 server-side cursors
(``psycopg.ServerCursor``) fetch from the server; the default client-side cursors of psycopg2,
psycopg 3 and the MySQL drivers already hold every row after ``execute``, so their ``fetch*`` is
silent (``conn.execute(...).fetchall()`` is one finding, at ``execute``).
"""

from loopguard.catalogue.advice import asyncio_library, methods
from loopguard.models import Rule

_DOMAIN = "databases and caches"
_PG2_CONN = "psycopg2.extensions.connection"
_PG2_CURSOR = "psycopg2.extensions.cursor"
_PG2_POOLS = ("AbstractConnectionPool", "SimpleConnectionPool", "ThreadedConnectionPool")
_PG3_CONN = "psycopg.Connection"
_PG3_CURSOR = "psycopg.Cursor"
_MYSQL = {
    # driver: (connect functions, connection type, cursor type)
    "pymysql": (("pymysql.connect", "pymysql.connections.Connection"), "pymysql.connections.Connection",
                "pymysql.cursors.Cursor"),
    "MySQLdb": (("MySQLdb.connect", "MySQLdb.connections.Connection"), "MySQLdb.connections.Connection",
                "MySQLdb.cursors.Cursor"),
    "mysql.connector": (("mysql.connector.connect",), "mysql.connector.connection.MySQLConnection",
                        "mysql.connector.cursor.MySQLCursor"),
}
_CONN_IO = ("commit", "rollback")

RULES = (
    Rule(
        code="LG403",
        name="sqlite3-call",
        thread_fix=False,
        fix_safety="No thread fix: a `sqlite3` connection refuses to be used from a thread other than the one "
        "that created it (`check_same_thread`).",
        domain=_DOMAIN,
        summary="`sqlite3.connect` (and `sqlite3.Connection(path)`, which it calls), "
        "`Connection.execute/executemany/executescript/commit/rollback/backup`, "
        "`Cursor.execute/executemany/executescript/fetchone/fetchmany/fetchall` and iterating a cursor "
        "(`for row in cursor`, `list(cursor)`, `next(cursor)`).",
        functions=("sqlite3.connect", "sqlite3.Connection"),
        methods=(
            *methods("sqlite3.Connection", "execute", "executemany", "executescript", *_CONN_IO, "backup",
                     "iterdump", "blobopen"),
            *methods("sqlite3.Cursor", "execute", "executemany", "executescript", "fetchone", "fetchmany",
                     "fetchall", "__iter__"),
        ),
        instead=asyncio_library(
            "aiosqlite (`async with aiosqlite.connect(path) as db: await db.execute(...)`)", "{api}"
        ),
        why="sqlite3 reads and writes the database file, and waits for other writers' locks, on the "
        "calling thread.",
        example=(
            "import sqlite3\n\n\n"
            "async def count_users(path):\n"
            "    with sqlite3.connect(path) as db:\n"
            "        return db.execute('SELECT count(*) FROM users').fetchone()[0]"
        ),
        use_instead=(
            "import aiosqlite\n\n\n"
            "async def count_users(path):\n"
            "    async with aiosqlite.connect(path) as db:\n"
            "        async with db.execute('SELECT count(*) FROM users') as cur:\n"
            "            return (await cur.fetchone())[0]"
        ),
    ),
    Rule(
        code="LG404",
        name="psycopg2-call",
        domain=_DOMAIN,
        summary="`psycopg2.connect`, pool `getconn` and pool construction, cursor `execute/executemany/"
        "callproc/copy_*`, `psycopg2.extras.execute_values/execute_batch`, `conn.commit/rollback`.",
        functions=(
            "psycopg2.connect",
            "psycopg2.pool.SimpleConnectionPool",
            "psycopg2.pool.ThreadedConnectionPool",
            "psycopg2.extras.execute_values",
            "psycopg2.extras.execute_batch",
        ),
        methods=(
            *methods(_PG2_CONN, *_CONN_IO, "set_session", "reset", "tpc_commit", "tpc_prepare"),
            *methods(_PG2_CURSOR, "execute", "executemany", "callproc", "copy_from", "copy_to", "copy_expert"),
            *(f"psycopg2.pool.{pool}.getconn" for pool in _PG2_POOLS),
        ),
        instead=asyncio_library("psycopg 3's `await psycopg.AsyncConnection.connect(...)`, or asyncpg", "{api}"),
        why="psycopg2 is synchronous: connecting and every statement wait for the server. "
        "Constructing a pool opens its `minconn` connections at once.",
        example=(
            "import psycopg2\n\n\n"
            "async def save(dsn, row):\n"
            "    conn = psycopg2.connect(dsn)\n"
            "    with conn.cursor() as cur:\n"
            "        cur.execute('INSERT INTO t VALUES (%s)', (row,))\n"
            "    conn.commit()"
        ),
        use_instead=(
            "import psycopg\n\n\n"
            "async def save(dsn, row):\n"
            "    async with await psycopg.AsyncConnection.connect(dsn) as conn:\n"
            "        await conn.execute('INSERT INTO t VALUES (%s)', (row,))"
        ),
    ),
    Rule(
        code="LG405",
        name="psycopg-sync-call",
        domain=_DOMAIN,
        summary="psycopg 3 sync API: `psycopg.connect`/`Connection.connect`, `Connection.execute/commit/"
        "rollback`, `Cursor.execute/executemany/copy/stream`, `ServerCursor` fetches, `psycopg_pool.ConnectionPool` "
        "`connection/getconn/wait`. `AsyncConnection` and `AsyncConnectionPool` are silent.",
        functions=("psycopg.connect", f"{_PG3_CONN}.connect"),
        methods=(
            *methods(_PG3_CONN, "execute", *_CONN_IO),
            *methods(_PG3_CURSOR, "execute", "executemany", "copy", "stream"),
            *methods("psycopg.ServerCursor", "execute", "fetchone", "fetchmany", "fetchall", "scroll",
                     "__iter__"),
            *methods("psycopg_pool.ConnectionPool", "connection", "getconn", "wait", "open"),
        ),
        instead=asyncio_library(
            "`psycopg.AsyncConnection` / `AsyncCursor` "
            "(`async with await psycopg.AsyncConnection.connect(dsn) as conn`), "
            "`psycopg_pool.AsyncConnectionPool`",
            "{api}",
        ),
        why="psycopg 3's sync classes wait for the server on the calling thread; the async ones have "
        "the same API, awaited.",
        example=(
            "import psycopg\n\n\n"
            "async def names(dsn):\n"
            "    with psycopg.connect(dsn) as conn:\n"
            "        return conn.execute('SELECT name FROM users').fetchall()"
        ),
        use_instead=(
            "import psycopg\n\n\n"
            "async def names(dsn):\n"
            "    async with await psycopg.AsyncConnection.connect(dsn) as conn:\n"
            "        cur = await conn.execute('SELECT name FROM users')\n"
            "        return await cur.fetchall()"
        ),
    ),
    Rule(
        code="LG406",
        name="mysql-sync-call",
        domain=_DOMAIN,
        summary="PyMySQL, mysqlclient (`MySQLdb`) and mysql-connector: `connect`, connection "
        "`commit/rollback/ping/select_db/begin/query`, cursor `execute/executemany/callproc`.",
        functions=tuple(function for connects, _, _ in _MYSQL.values() for function in connects),
        methods=tuple(
            pattern
            for _, connection, cursor in _MYSQL.values()
            for pattern in (
                *methods(connection, *_CONN_IO, "ping", "select_db", "begin", "query", "autocommit"),
                *methods(cursor, "execute", "executemany", "callproc"),
            )
        ),
        instead=asyncio_library("aiomysql or asyncmy (`await cur.execute(...)`)", "{api}"),
        why="These drivers send each statement and wait for the result on the calling thread.",
        example=(
            "import pymysql\n\n\n"
            "async def names():\n"
            "    conn = pymysql.connect(host='db', user='app')\n"
            "    with conn.cursor() as cur:\n"
            "        cur.execute('SELECT name FROM users')\n"
            "        return cur.fetchall()"
        ),
        use_instead=(
            "import aiomysql\n\n\n"
            "async def names():\n"
            "    conn = await aiomysql.connect(host='db', user='app')\n"
            "    async with conn.cursor() as cur:\n"
            "        await cur.execute('SELECT name FROM users')\n"
            "        return await cur.fetchall()"
        ),
    ),
)

RETURNS = {
    "sqlite3.connect": "sqlite3.Connection",
    "sqlite3.Connection.cursor": "sqlite3.Cursor",
    "sqlite3.Connection.execute": "sqlite3.Cursor",
    "sqlite3.Connection.executemany": "sqlite3.Cursor",
    "sqlite3.Connection.executescript": "sqlite3.Cursor",
    "sqlite3.Cursor.execute": "sqlite3.Cursor",
    "psycopg2.connect": _PG2_CONN,
    f"{_PG2_CONN}.cursor": _PG2_CURSOR,
    **{f"psycopg2.pool.{pool}.getconn": _PG2_CONN for pool in _PG2_POOLS},
    "psycopg.connect": _PG3_CONN,
    f"{_PG3_CONN}.connect": _PG3_CONN,
    f"{_PG3_CONN}.cursor": _PG3_CURSOR,
    f"{_PG3_CONN}.execute": _PG3_CURSOR,
    f"{_PG3_CURSOR}.execute": _PG3_CURSOR,
    "psycopg_pool.ConnectionPool.connection": _PG3_CONN,
    "psycopg_pool.ConnectionPool.getconn": _PG3_CONN,
    **{connect: connection for connects, connection, _ in _MYSQL.values() for connect in connects},
    **{f"{connection}.cursor": cursor for _, connection, cursor in _MYSQL.values()},
}

ALIASES = {
    "sqlite3.dbapi2.connect": "sqlite3.connect",
    "sqlite3.dbapi2.Connection": "sqlite3.Connection",
    "sqlite3.dbapi2.Cursor": "sqlite3.Cursor",
    "_sqlite3.connect": "sqlite3.connect",
    "psycopg2._psycopg.connection": _PG2_CONN,
    "psycopg2._psycopg.cursor": _PG2_CURSOR,
    "psycopg.connection.Connection": _PG3_CONN,
    "psycopg.cursor.Cursor": _PG3_CURSOR,
    "psycopg_pool.pool.ConnectionPool": "psycopg_pool.ConnectionPool",
    "pymysql.Connect": "pymysql.connect",
    "pymysql.Connection": "pymysql.connections.Connection",
    "pymysql.connections.connect": "pymysql.connect",
    "MySQLdb.Connect": "MySQLdb.connect",
    "MySQLdb.Connection": "MySQLdb.connections.Connection",
    "mysql.connector.MySQLConnection": "mysql.connector.connection.MySQLConnection",
}
