"""Sockets, DNS, TLS set-up and readiness waits (LG206-LG209, LG219, in the network domain LG2xx).

A socket object is typed from ``socket.socket(...)``, ``socket.create_connection(...)``,
``socket.create_server(...)`` or an annotation. A socket that the same function switched to
non-blocking mode earlier (``NONBLOCKING_SWITCHES``: ``sock.setblocking(False)``) never waits, so
the calls on it are not reported; one switched elsewhere is (such code should use ``loop.sock_*`` or
streams anyway).
"""

from loopguard.catalogue.advice import methods, to_thread
from loopguard.models import LIBRARIES, NonWaiting, Rule

_DOMAIN = "http and network"
_SOCKET_IO = (
    "connect", "accept", "send", "sendall", "sendto", "sendmsg", "sendfile",
    "recv", "recv_into", "recvfrom", "recvfrom_into", "recvmsg", "recvmsg_into",
)
_SELECTORS = (
    "selectors.BaseSelector", "selectors.DefaultSelector", "selectors.SelectSelector",
    "selectors.PollSelector", "selectors.EpollSelector", "selectors.KqueueSelector",
    "selectors.DevpollSelector",
)
# HTTPS clients that build an SSL context and load the CA bundle when constructed (LG219, opt-in):
# httpx 0.28's ``create_ssl_context`` loads certifi's bundle for ``verify=True`` (the default) and a
# CA file for a string, and uses a context it is handed; ``verify=False`` loads nothing. A client
# handed its transport builds none. The OpenAI and Anthropic SDKs build an httpx client unless
# handed one; ``http.client.HTTPSConnection`` builds a default context unless handed one.
_HTTPX_VERIFY = (
    NonWaiting(-1, "verify", False),
    NonWaiting(-1, "verify", None, computed=True),
    NonWaiting(-1, "transport", None, given=True),
)
_TRANSPORT_VERIFY = (NonWaiting(0, "verify", False), NonWaiting(0, "verify", None, computed=True))
_SDK_CLIENT_GIVEN = (NonWaiting(-1, "http_client", None, given=True),)
_TLS_CLIENTS = {
    "httpx.Client": _HTTPX_VERIFY,
    "httpx.AsyncClient": _HTTPX_VERIFY,
    "httpx.HTTPTransport": _TRANSPORT_VERIFY,
    "httpx.AsyncHTTPTransport": _TRANSPORT_VERIFY,
    "openai.OpenAI": _SDK_CLIENT_GIVEN,
    "openai.AsyncOpenAI": _SDK_CLIENT_GIVEN,
    "openai.AzureOpenAI": _SDK_CLIENT_GIVEN,
    "openai.AsyncAzureOpenAI": _SDK_CLIENT_GIVEN,
    "anthropic.Anthropic": _SDK_CLIENT_GIVEN,
    "anthropic.AsyncAnthropic": _SDK_CLIENT_GIVEN,
    "http.client.HTTPSConnection": (NonWaiting(-1, "context", None, given=True),),
}
_SSL_LOADS = (
    "load_default_certs", "load_verify_locations", "load_cert_chain", "set_default_verify_paths",
    "load_dh_params",
)

TLS_CLIENT = Rule(
    code="LG219",
    name="tls-client-construction",
    domain=_DOMAIN,
    summary="Building an HTTPS client that loads the CA bundle: `httpx.Client()`, `httpx.AsyncClient()` "
    "and their transports, `openai.OpenAI()`/`AsyncOpenAI()`, `anthropic.Anthropic()`/`AsyncAnthropic()`, "
    "`http.client.HTTPSConnection()`. Opt-in: the async clients are what the other rules recommend, and "
    "building one per process is fine.",
    functions=tuple(_TLS_CLIENTS),
    non_waiting={api.rpartition(".")[2]: conditions for api, conditions in _TLS_CLIENTS.items()},
    instead=dict.fromkeys(
        LIBRARIES,
        "one client built once (at start-up, or in a lifespan hook) and reused, or an SSL context "
        "built once and handed to it (`verify=ssl_context`, `http_client=`, `context=`)",
    ),
    why="A new client builds an SSL context and loads the whole CA bundle (certifi's: over a hundred "
    "certificates read and parsed), tens to hundreds of milliseconds on the loop, for every client "
    "built per request.",
    example=(
        "import httpx\n\n\n"
        "async def fetch(url):\n"
        "    async with httpx.AsyncClient() as client:\n"
        "        return (await client.get(url)).text"
    ),
    use_instead=(
        "import httpx\n\n"
        "CLIENT = httpx.AsyncClient()\n\n\n"
        "async def fetch(url):\n"
        "    return (await CLIENT.get(url)).text"
    ),
    example_config=(
        "[tool.loopguard]\n"
        'select = ["LG", "LG219"]'
    ),
    fix_safety="No automatic fix: where the client should live is a design decision.",
    default_enabled=False,
    thread_fix=False,
)

RULES = (
    Rule(
        code="LG206",
        name="blocking-dns-lookup",
        domain=_DOMAIN,
        summary="`socket.getaddrinfo/gethostbyname/gethostbyname_ex/gethostbyaddr/getfqdn/getnameinfo`.",
        functions=tuple(
            f"socket.{name}"
            for name in (
                "getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr", "getfqdn", "getnameinfo",
            )
        ),
        instead={
            "asyncio": "`await asyncio.get_running_loop().getaddrinfo(...)` / `.getnameinfo(...)`",
            "anyio": "`await anyio.getaddrinfo(...)` / `anyio.getnameinfo(...)`",
            "trio": "`await trio.socket.getaddrinfo(...)` / `trio.socket.getnameinfo(...)`",
        },
        why="Name resolution asks the system resolver, which may wait seconds for a DNS server.",
        example=(
            "import socket\n\n\n"
            "async def resolve(host):\n"
            "    return socket.gethostbyname(host)"
        ),
        use_instead=(
            "import asyncio\n\n\n"
            "async def resolve(host):\n"
            "    infos = await asyncio.get_running_loop().getaddrinfo(host, None)\n"
            "    return infos[0][4][0]"
        ),
    ),
    Rule(
        code="LG207",
        name="blocking-socket-io",
        domain=_DOMAIN,
        summary="`socket.create_connection` and blocking socket I/O on socket objects "
        "(`connect accept send sendall sendto recv recv_into recvfrom recvmsg ...`), "
        "also `ssl.SSLSocket` objects and their `do_handshake`.",
        functions=("socket.create_connection",),
        methods=(
            *methods("socket.socket", *_SOCKET_IO),
            *methods("ssl.SSLSocket", *_SOCKET_IO, "do_handshake", "read", "write", "unwrap"),
        ),
        instead={
            "asyncio": "`await asyncio.open_connection(...)` streams, "
            "or `loop.sock_*` on a non-blocking socket",
            "anyio": "`await anyio.connect_tcp(...)` / `anyio.create_tcp_listener(...)`",
            "trio": "`await trio.open_tcp_stream(...)` / `trio.socket`",
        },
        why="A socket in blocking mode (the default) waits in the kernel for the peer: for the "
        "connection, for data to arrive, or for room in the send buffer. Calls on a socket that the same "
        "function switched to non-blocking mode earlier (`sock.setblocking(False)` or `sock.settimeout(0)`) "
        "are not reported; a socket made non-blocking elsewhere is (use `# noqa: LG207`).",
        example=(
            "import socket\n\n\n"
            "async def ping(host):\n"
            "    with socket.create_connection((host, 7)) as s:\n"
            "        s.sendall(b'ping')\n"
            "        return s.recv(4)"
        ),
        use_instead=(
            "import asyncio\n\n\n"
            "async def ping(host):\n"
            "    reader, writer = await asyncio.open_connection(host, 7)\n"
            "    writer.write(b'ping')\n"
            "    await writer.drain()\n"
            "    return await reader.read(4)"
        ),
    ),
    Rule(
        code="LG208",
        name="ssl-context-load",
        domain=_DOMAIN,
        summary="`ssl.create_default_context()` and `SSLContext.load_default_certs/load_verify_locations/"
        "load_cert_chain/set_default_verify_paths/load_dh_params` (they read certificate files).",
        functions=("ssl.create_default_context",),
        methods=methods("ssl.SSLContext", *_SSL_LOADS),
        instead=to_thread(
            "{api}",
            asyncio="build the context once at start-up and reuse it",
            anyio="build the context once at start-up and reuse it",
            trio="build the context once at start-up and reuse it",
        ),
        why="Loading the CA bundle or a certificate chain reads and parses files; the system bundle "
        "alone is hundreds of certificates, tens of milliseconds per context.",
        example=(
            "import asyncio\n"
            "import ssl\n\n\n"
            "async def fetch(host):\n"
            "    ctx = ssl.create_default_context()\n"
            "    return await asyncio.open_connection(host, 443, ssl=ctx)"
        ),
        use_instead=(
            "import asyncio\n"
            "import ssl\n\n"
            "SSL_CONTEXT = ssl.create_default_context()\n\n\n"
            "async def fetch(host):\n"
            "    return await asyncio.open_connection(host, 443, ssl=SSL_CONTEXT)"
        ),
    ),
    Rule(
        code="LG209",
        name="blocking-select",
        domain=_DOMAIN,
        summary="`select.select`, `poll()/epoll()/devpoll()` objects' `.poll()`, `kqueue().control()`, "
        "and `selectors` selectors' `.select()`.",
        functions=("select.select",),
        methods=(
            "select.poll.poll",
            "select.epoll.poll",
            "select.devpoll.poll",
            "select.kqueue.control",
            *(f"{selector}.select" for selector in _SELECTORS),
        ),
        instead={
            "asyncio": "`loop.add_reader(fd, callback)` / `loop.add_writer(fd, callback)`, "
            "or streams",
            "anyio": "`await anyio.wait_readable(sock)` / `anyio.wait_writable(sock)`",
            "trio": "`await trio.lowlevel.wait_readable(sock)` / `wait_writable(sock)`",
        },
        why="These wait for a file descriptor to become ready; that is the event loop's own job, and "
        "a second wait inside a coroutine stops the loop doing it.",
        example=(
            "import select\n"
            "import socket\n\n\n"
            "async def wait_for_data(sock: socket.socket):\n"
            "    select.select([sock], [], [], 5.0)"
        ),
        use_instead=(
            "import socket\n\n"
            "import anyio\n\n\n"
            "async def wait_for_data(sock: socket.socket):\n"
            "    with anyio.fail_after(5):\n"
            "        await anyio.wait_readable(sock)"
        ),
    ),
    TLS_CLIENT,
)

RETURNS = {
    "socket.socket": "socket.socket",
    "socket.create_connection": "socket.socket",
    "socket.create_server": "socket.socket",
    "socket.fromfd": "socket.socket",
    "socket.socket.dup": "socket.socket",
    "ssl.create_default_context": "ssl.SSLContext",
    "ssl.SSLContext.wrap_socket": "ssl.SSLSocket",
    "select.poll": "select.poll",
    "select.epoll": "select.epoll",
    "select.devpoll": "select.devpoll",
    "select.kqueue": "select.kqueue",
}

ALIASES = {
    "socket.SocketType": "socket.socket",
    "_socket.socket": "socket.socket",
    "_socket.getaddrinfo": "socket.getaddrinfo",
    "_socket.gethostbyname": "socket.gethostbyname",
    "_socket.gethostbyaddr": "socket.gethostbyaddr",
}

#: Calls that switch a socket to non-blocking mode, and the argument that does it. Later calls on
#: the same name in the same function are on a ``NONBLOCKING_TYPE``, which no rule names. The index
#: sees these by method name (it runs before types are known), on a name of any type.
NONBLOCKING_SWITCHES = {"socket.socket.setblocking": False, "socket.socket.settimeout": 0}
NONBLOCKING_TYPE = "socket.NonBlockingSocket"
