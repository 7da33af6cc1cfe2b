"""Caches and document stores (LG407-LG409, in the databases domain LG4xx): redis-py, pymongo,
elasticsearch.

* redis: every command of a ``Redis``/``StrictRedis``/``RedisCluster`` client (``redis.from_url``,
  ``Sentinel.master_for`` ...), ``pipeline().execute()``, pub/sub reads, locks, scripts. Constructing a
  client connects lazily and is silent, and so are ``pipeline()``, ``pubsub()`` and ``lock()`` and the
  commands queued on a pipeline. ``redis.asyncio`` clients are other types.
* pymongo: ``MongoClient()`` connects in the background (silent); databases and collections come
  from ``client[name]``, ``client.name``, ``get_database()``/``get_collection()``; every operation on
  them is reported. ``find()`` and ``aggregate()`` are reported at the call: a sync cursor can only be
  consumed by blocking iteration. ``AsyncMongoClient`` and motor are other types.
* elasticsearch: every API of ``Elasticsearch`` and its namespaces (``es.indices.create``), and the
  ``helpers`` (``bulk``, ``scan`` ...). ``AsyncElasticsearch`` is another type.
"""

from loopguard.catalogue.advice import asyncio_library, methods
from loopguard.models import Rule

_DOMAIN = "databases and caches"
_REDIS = ("redis.Redis", "redis.cluster.RedisCluster")
_MONGO_CLIENT = "pymongo.MongoClient"
_DATABASE = "pymongo.database.Database"
_COLLECTION = "pymongo.collection.Collection"
_ES = "elasticsearch.Elasticsearch"
_ES_NAMESPACE = "elasticsearch.client.NamespacedClient"
_ES_NAMESPACES = (
    "indices", "cluster", "cat", "ingest", "nodes", "snapshot", "tasks", "security", "ml", "transform",
    "sql", "esql", "async_search", "inference", "enrich", "license", "ilm", "watcher", "synonyms",
)

RULES = (
    Rule(
        code="LG407",
        name="redis-sync-command",
        domain=_DOMAIN,
        summary="Commands on a sync redis-py client (`redis.Redis`, `StrictRedis`, `from_url`, "
        "`RedisCluster`, `Sentinel.master_for`), `pipeline().execute()`, pub/sub reads, `Lock` and "
        "`Script` calls. Constructing a client, `pipeline()`, `pubsub()` and `lock()` are silent.",
        methods=(
            *(f"{client}.*" for client in _REDIS),
            *methods("redis.client.Pipeline", "execute", "watch"),
            *methods("redis.cluster.ClusterPipeline", "execute"),
            *methods("redis.client.PubSub", "subscribe", "psubscribe", "unsubscribe", "punsubscribe",
                     "get_message", "listen", "ping"),
            *methods("redis.lock.Lock", "acquire", "release", "extend", "reacquire", "locked", "owned"),
            "redis.commands.core.Script.__call__",
        ),
        safe_methods=(
            "pipeline", "pubsub", "lock", "register_script", "from_url", "from_pool", "client", "monitor",
            "get_encoder", "get_connection_kwargs", "set_response_callback", "get_retry", "set_retry", "close",
        ),
        instead=asyncio_library(
            "`redis.asyncio.Redis` (`await r.get(...)`, `async with r.pipeline() as pipe`)", "{api}"
        ),
        why="Every command is a round trip to the server on the calling thread.",
        example=(
            "import redis\n\n\n"
            "async def hits(r: redis.Redis, page):\n"
            "    return r.incr(f'hits:{page}')"
        ),
        use_instead=(
            "import redis.asyncio\n\n\n"
            "async def hits(r: redis.asyncio.Redis, page):\n"
            "    return await r.incr(f'hits:{page}')"
        ),
    ),
    Rule(
        code="LG408",
        name="pymongo-sync-operation",
        domain=_DOMAIN,
        summary="Operations through a sync `pymongo.MongoClient`: client commands, database commands and "
        "every collection operation (`find_one insert_one update_many aggregate find ...`).",
        methods=(f"{_MONGO_CLIENT}.*", f"{_DATABASE}.*", f"{_COLLECTION}.*"),
        safe_methods=("get_database", "get_default_database", "get_collection", "with_options", "close",
                      "start_session"),
        instead=asyncio_library(
            "`pymongo.AsyncMongoClient` "
            "(`await db.users.find_one(...)`, `async for` over `find()`)",
            "{api}",
        ),
        why="pymongo sends each operation and waits for the server's reply on the calling thread; "
        "a sync cursor fetches its batches while being iterated.",
        example=(
            "from pymongo import MongoClient\n\n\n"
            "async def profile(client: MongoClient, uid):\n"
            "    return client.app.users.find_one({'_id': uid})"
        ),
        use_instead=(
            "from pymongo import AsyncMongoClient\n\n\n"
            "async def profile(client: AsyncMongoClient, uid):\n"
            "    return await client.app.users.find_one({'_id': uid})"
        ),
    ),
    Rule(
        code="LG409",
        name="elasticsearch-sync-call",
        domain=_DOMAIN,
        summary="APIs of a sync `elasticsearch.Elasticsearch` client and its namespaces "
        "(`es.search`, `es.indices.create` ...) and `elasticsearch.helpers.bulk/streaming_bulk/"
        "parallel_bulk/scan/reindex`.",
        functions=tuple(
            f"elasticsearch.helpers.{name}" for name in ("bulk", "streaming_bulk", "parallel_bulk", "scan", "reindex")
        ),
        methods=(f"{_ES}.*", f"{_ES_NAMESPACE}.*"),
        safe_methods=("options", "close"),
        instead=asyncio_library(
            "`elasticsearch.AsyncElasticsearch` (`await es.search(...)`), "
            "`elasticsearch.helpers.async_bulk` / `async_scan`",
            "{api}",
        ),
        why="The sync client performs each HTTP request to the cluster on the calling thread.",
        example=(
            "from elasticsearch import Elasticsearch\n\n\n"
            "async def search(es: Elasticsearch, text):\n"
            "    return es.search(index='docs', query={'match': {'body': text}})"
        ),
        use_instead=(
            "from elasticsearch import AsyncElasticsearch\n\n\n"
            "async def search(es: AsyncElasticsearch, text):\n"
            "    return await es.search(index='docs', query={'match': {'body': text}})"
        ),
    ),
)

RETURNS = {
    "redis.from_url": "redis.Redis",
    "redis.Redis.from_url": "redis.Redis",
    "redis.Redis.from_pool": "redis.Redis",
    "redis.Redis.client": "redis.Redis",
    "redis.Redis.pipeline": "redis.client.Pipeline",
    "redis.Redis.pubsub": "redis.client.PubSub",
    "redis.Redis.lock": "redis.lock.Lock",
    "redis.Redis.register_script": "redis.commands.core.Script",
    "redis.cluster.RedisCluster.from_url": "redis.cluster.RedisCluster",
    "redis.cluster.RedisCluster.pipeline": "redis.cluster.ClusterPipeline",
    "redis.sentinel.Sentinel.master_for": "redis.Redis",
    "redis.sentinel.Sentinel.slave_for": "redis.Redis",
    f"{_MONGO_CLIENT}.__getitem__": _DATABASE,
    f"{_MONGO_CLIENT}.get_database": _DATABASE,
    f"{_MONGO_CLIENT}.get_default_database": _DATABASE,
    f"{_DATABASE}.__getitem__": _COLLECTION,
    f"{_DATABASE}.get_collection": _COLLECTION,
    f"{_DATABASE}.create_collection": _COLLECTION,
    f"{_DATABASE}.with_options": _DATABASE,
    f"{_COLLECTION}.__getitem__": _COLLECTION,
    f"{_COLLECTION}.with_options": _COLLECTION,
    f"{_ES}.options": _ES,
}

ATTRIBUTES = {
    # attribute-style access: client.app is a database, client.app.users a collection
    f"{_MONGO_CLIENT}.*": _DATABASE,
    f"{_DATABASE}.*": _COLLECTION,
    f"{_DATABASE}.client": _MONGO_CLIENT,
    f"{_COLLECTION}.*": _COLLECTION,  # sub-collections: db.logs.errors
    f"{_COLLECTION}.database": _DATABASE,
    **{f"{_ES}.{name}": _ES_NAMESPACE for name in _ES_NAMESPACES},
}

ALIASES = {
    "redis.StrictRedis": "redis.Redis",
    "redis.client.Redis": "redis.Redis",
    "redis.client.StrictRedis": "redis.Redis",
    "redis.utils.from_url": "redis.from_url",
    "redis.RedisCluster": "redis.cluster.RedisCluster",
    "redis.Sentinel": "redis.sentinel.Sentinel",
    "pymongo.mongo_client.MongoClient": _MONGO_CLIENT,
    "pymongo.synchronous.mongo_client.MongoClient": _MONGO_CLIENT,
    "pymongo.synchronous.database.Database": _DATABASE,
    "pymongo.synchronous.collection.Collection": _COLLECTION,
    "elasticsearch.client.Elasticsearch": _ES,
    "elasticsearch._sync.client.Elasticsearch": _ES,
}
