"""HTTP and network clients (LG2xx)."""

from loopguard.models import Rule

_REQUESTS_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request")
_HTTPX_ASYNC = (
    "the `AsyncClient` of the same library, `httpx.AsyncClient` or `httpx2.AsyncClient` "
    "(`async with httpx.AsyncClient() as client: await client.get(...)`)"
)
#: httpx and httpx2 (its maintained continuation: the same API, and ``query``, ``websocket``, ``sse``).
_HTTPX_VERBS = {
    "httpx": (*_REQUESTS_VERBS, "stream"),
    "httpx2": (*_REQUESTS_VERBS, "stream", "query", "websocket"),
}
_HTTPX_CLIENT_ONLY = {"httpx": ("send", "close"), "httpx2": ("send", "close", "sse")}
#: urllib3's request-making classes, by the names the library documents; every one of them shares
#: ``RequestMethods``' ``request``/``urlopen`` (a ``ProxyManager`` is a ``PoolManager``, an
#: ``HTTPSConnectionPool`` an ``HTTPConnectionPool``, itself a ``ConnectionPool``).
_URLLIB3_CLIENTS = (
    "urllib3.PoolManager", "urllib3.ProxyManager", "urllib3.HTTPConnectionPool",
    "urllib3.HTTPSConnectionPool", "urllib3.connectionpool.ConnectionPool",
    "urllib3._request_methods.RequestMethods",
)
_HTTP_ASYNC = "`httpx.AsyncClient` or `aiohttp.ClientSession`"

RULES = (
    Rule(
        code="LG201",
        name="requests-call",
        domain="http and network",
        summary="`requests` functions and `requests.Session` methods.",
        functions=tuple(f"requests.{verb}" for verb in _REQUESTS_VERBS),
        methods=tuple(f"requests.Session.{verb}" for verb in (*_REQUESTS_VERBS, "send")),
        instead={"asyncio": _HTTP_ASYNC},
        why="requests does its socket I/O synchronously; the event loop stalls for the whole round trip.",
        example=(
            "import requests\n\n\n"
            "async def fetch(url):\n"
            "    return requests.get(url).json()"
        ),
        use_instead=(
            "import httpx\n\n\n"
            "async def fetch(url):\n"
            "    async with httpx.AsyncClient() as client:\n"
            "        return (await client.get(url)).json()"
        ),
        fix_safety="The switch to httpx is never made automatically: requests follows redirects by default "
        "and httpx does not, and httpx has a 5 s default timeout.",
    ),
    Rule(
        code="LG202",
        name="httpx-sync-call",
        domain="http and network",
        summary="`httpx` and `httpx2` module functions and `Client` methods (the sync client).",
        functions=tuple(f"{library}.{verb}" for library, verbs in _HTTPX_VERBS.items() for verb in verbs),
        methods=tuple(
            f"{library}.Client.{verb}"
            for library, verbs in _HTTPX_VERBS.items()
            for verb in (*verbs, *_HTTPX_CLIENT_ONLY[library])
        ),
        instead={"asyncio": _HTTPX_ASYNC},
        why="The sync httpx API blocks on the network; its async twin has the same methods, awaited.",
        example=(
            "import httpx\n\n\n"
            "async def fetch(url):\n"
            "    return httpx.get(url)"
        ),
        use_instead=(
            "import httpx\n\n\n"
            "async def fetch(url):\n"
            "    async with httpx.AsyncClient() as client:\n"
            "        return await client.get(url)"
        ),
    ),
    Rule(
        code="LG203",
        name="urllib-request",
        domain="http and network",
        summary="`urllib.request.urlopen`, `urlretrieve` and opener `.open()`.",
        functions=("urllib.request.urlopen", "urllib.request.urlretrieve"),
        methods=("urllib.request.OpenerDirector.open",),
        instead={"asyncio": _HTTP_ASYNC},
        why="urllib performs the request and reads the response synchronously.",
        example=(
            "import urllib.request\n\n\n"
            "async def fetch(url):\n"
            "    return urllib.request.urlopen(url).read()"
        ),
        use_instead=(
            "import httpx\n\n\n"
            "async def fetch(url):\n"
            "    async with httpx.AsyncClient() as client:\n"
            "        return (await client.get(url)).content"
        ),
    ),
    Rule(
        code="LG204",
        name="urllib3-call",
        domain="http and network",
        summary="`urllib3.request` and requests through urllib3 pool managers, proxy managers and "
        "connection pools (`PoolManager`, `ProxyManager`, `HTTPConnectionPool`, `HTTPSConnectionPool`, "
        "`ConnectionPool`, `RequestMethods`).",
        functions=("urllib3.request",),
        methods=tuple(
            f"{owner}.{verb}"
            for owner in _URLLIB3_CLIENTS
            for verb in ("request", "urlopen", "request_encode_url", "request_encode_body")
        ),
        instead={"asyncio": _HTTP_ASYNC},
        why="urllib3 is a synchronous HTTP client.",
        example=(
            "import urllib3\n\n\n"
            "async def fetch(url):\n"
            "    return urllib3.PoolManager().request('GET', url)"
        ),
        use_instead=(
            "import httpx\n\n\n"
            "async def fetch(url):\n"
            "    async with httpx.AsyncClient() as client:\n"
            "        return await client.get(url)"
        ),
    ),
    Rule(
        code="LG205",
        name="http-client-call",
        domain="http and network",
        summary="`http.client.HTTPConnection`/`HTTPSConnection` requests and responses.",
        methods=tuple(
            f"http.client.{owner}.{verb}"
            for owner in ("HTTPConnection", "HTTPSConnection")
            for verb in ("request", "getresponse", "putrequest", "putheader", "endheaders", "send", "connect")
        ),
        instead={"asyncio": _HTTP_ASYNC},
        why="`http.client` connections read and write their socket synchronously.",
        example=(
            "import http.client\n\n\n"
            "async def ping(host):\n"
            "    conn = http.client.HTTPSConnection(host)\n"
            "    conn.request('HEAD', '/')"
        ),
        use_instead=(
            "import httpx\n\n\n"
            "async def ping(host):\n"
            "    async with httpx.AsyncClient() as client:\n"
            "        await client.head(f'https://{host}/')"
        ),
    ),
)

RETURNS = {
    "requests.session": "requests.Session",
    "urllib.request.build_opener": "urllib.request.OpenerDirector",
    "urllib3.connection_from_url": "urllib3.HTTPConnectionPool",
    "urllib3.PoolManager.connection_from_url": "urllib3.HTTPConnectionPool",
    "urllib3.PoolManager.connection_from_host": "urllib3.HTTPConnectionPool",
    "urllib3.PoolManager.connection_from_context": "urllib3.HTTPConnectionPool",
    "urllib3.PoolManager.connection_from_pool_key": "urllib3.HTTPConnectionPool",
    "urllib3.proxy_from_url": "urllib3.ProxyManager",
}

ALIASES = {
    "requests.sessions.Session": "requests.Session",
    "requests.sessions.session": "requests.session",
    "requests.api.get": "requests.get",
    "requests.api.post": "requests.post",
    "requests.api.request": "requests.request",
    "httpx._client.Client": "httpx.Client",
    "httpx2._client.Client": "httpx2.Client",
    **{f"httpx2._api.{verb}": f"httpx2.{verb}" for verb in _HTTPX_VERBS["httpx2"]},
    "urllib3.poolmanager.ProxyManager": "urllib3.ProxyManager",
    "urllib3.poolmanager.proxy_from_url": "urllib3.proxy_from_url",
    "urllib3.request.RequestMethods": "urllib3._request_methods.RequestMethods",  # urllib3 1.x
    "urllib3.poolmanager.PoolManager": "urllib3.PoolManager",
    "urllib3.connectionpool.HTTPConnectionPool": "urllib3.HTTPConnectionPool",
    "urllib3.connectionpool.HTTPSConnectionPool": "urllib3.HTTPSConnectionPool",
    "urllib3.connectionpool.connection_from_url": "urllib3.connection_from_url",
}
