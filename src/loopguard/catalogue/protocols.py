"""Blocking protocol clients (LG210-LG216, in the network domain LG2xx): mail, FTP, SSH, Kafka,
RabbitMQ, gRPC and WebSocket clients whose async twins are separate libraries.

Constructors that connect (``smtplib.SMTP(host)``, ``ftplib.FTP(host)``, ``KafkaProducer(...)``,
``pika.BlockingConnection(...)``) are reported themselves; so is every I/O method of the objects
they return (``Type.*`` minus the local setters listed in ``safe_methods``).
"""

from loopguard.catalogue.advice import asyncio_library, methods
from loopguard.models import NonWaiting, Rule

_DOMAIN = "http and network"
#: ``SMTP()`` without a host still resolves the local host's FQDN (``socket.getfqdn``) unless given a
#: ``local_hostname``; ``IMAP4()`` connects to localhost when given no host, ``IMAP4_stream`` runs
#: its command; POP3 and NNTP need a host: every constructor here does I/O.
_MAIL = (
    "smtplib.SMTP", "smtplib.SMTP_SSL", "smtplib.LMTP",
    "imaplib.IMAP4", "imaplib.IMAP4_SSL", "imaplib.IMAP4_stream", "poplib.POP3", "poplib.POP3_SSL",
    "nntplib.NNTP", "nntplib.NNTP_SSL",
)
_FTP = ("ftplib.FTP", "ftplib.FTP_TLS")
#: ``FTP()`` and ``FTP_TLS()`` only store their arguments unless given a host (``FTP_TLS`` builds an
#: SSL context that loads no certificates): ``ftp = FTP(); ftp.connect(host)`` is one finding.
_FTP_WITHOUT_HOST = (NonWaiting(0, "host", "", left_out=True),)
#: kafka-python's clients connect to the brokers when built to learn their version, unless told it.
_KAFKA_VERSION_GIVEN = (NonWaiting(-1, "api_version", None, given=True),)
_BLOCKING_CHANNEL = "pika.adapters.blocking_connection.BlockingChannel"

RULES = (
    Rule(
        code="LG210",
        name="sync-mail-client",
        domain=_DOMAIN,
        summary="`smtplib.SMTP/SMTP_SSL/LMTP`, `imaplib.IMAP4[_SSL]/IMAP4_stream`, `poplib.POP3[_SSL]`, "
        "`nntplib.NNTP[_SSL]`: constructing one (connects when given a host; an SMTP client given none "
        "still resolves the local host's name) and every command.",
        functions=_MAIL,
        methods=tuple(f"{client}.*" for client in _MAIL),
        safe_methods=("set_debuglevel", "has_extn", "close", "getwelcome"),
        instead=asyncio_library(
            "aiosmtplib (`await aiosmtplib.send(message, hostname=...)`); aioimaplib for IMAP; "
            "or (POP3, NNTP) `await asyncio.to_thread({api}, ...)`",
            "{api}",
        ),
        why="The standard library's mail and news clients talk to the server synchronously, one "
        "command and reply at a time.",
        example=(
            "import smtplib\n"
            "from email.message import EmailMessage\n\n\n"
            "async def notify(msg: EmailMessage):\n"
            "    with smtplib.SMTP('mail.example.com', 587) as smtp:\n"
            "        smtp.starttls()\n"
            "        smtp.send_message(msg)"
        ),
        use_instead=(
            "from email.message import EmailMessage\n\n"
            "import aiosmtplib\n\n\n"
            "async def notify(msg: EmailMessage):\n"
            "    await aiosmtplib.send(msg, hostname='mail.example.com', port=587, start_tls=True)"
        ),
    ),
    Rule(
        code="LG211",
        name="sync-ftp-client",
        domain=_DOMAIN,
        summary="`ftplib.FTP/FTP_TLS`: constructing one with a host (it connects, and logs in when given "
        "a user) and every command.",
        functions=_FTP,
        methods=tuple(f"{client}.*" for client in _FTP),
        safe_methods=("set_debuglevel", "set_pasv", "getwelcome", "close"),
        non_waiting={"FTP": _FTP_WITHOUT_HOST, "FTP_TLS": _FTP_WITHOUT_HOST},
        instead=asyncio_library("aioftp (`async with aioftp.Client.context(host) as client`)", "{api}"),
        why="ftplib's control and data connections are blocking sockets.",
        example=(
            "import ftplib\n\n\n"
            "async def listing():\n"
            "    with ftplib.FTP('ftp.example.com') as ftp:\n"
            "        ftp.login()\n"
            "        return ftp.nlst()"
        ),
        use_instead=(
            "import aioftp\n\n\n"
            "async def listing():\n"
            "    async with aioftp.Client.context('ftp.example.com') as ftp:\n"
            "        return [path async for path, _ in ftp.list()]"
        ),
    ),
    Rule(
        code="LG212",
        name="sync-ssh-client",
        domain=_DOMAIN,
        summary="`paramiko.SSHClient` and `SFTPClient` operations (`connect`, `exec_command`, `open_sftp`, "
        "`load_system_host_keys`, SFTP `get/put/listdir/...`). Constructing the client is silent.",
        methods=("paramiko.SSHClient.*", "paramiko.SFTPClient.*"),
        safe_methods=(
            "set_missing_host_key_policy", "get_host_keys", "get_transport", "set_log_channel", "close",
            "get_channel",
        ),
        instead=asyncio_library("asyncssh (`async with asyncssh.connect(host) as conn: await conn.run(...)`)",
                                "{api}"),
        why="paramiko performs the SSH handshake and every channel read on the calling thread.",
        example=(
            "import paramiko\n\n\n"
            "async def uptime(host):\n"
            "    client = paramiko.SSHClient()\n"
            "    client.connect(host)\n"
            "    _, out, _ = client.exec_command('uptime')\n"
            "    return out.read()"
        ),
        use_instead=(
            "import asyncssh\n\n\n"
            "async def uptime(host):\n"
            "    async with asyncssh.connect(host) as conn:\n"
            "        return (await conn.run('uptime')).stdout"
        ),
    ),
    Rule(
        code="LG213",
        name="sync-kafka-client",
        domain=_DOMAIN,
        summary="kafka-python `KafkaProducer`/`KafkaConsumer` (constructing one bootstraps the cluster "
        "metadata, unless given `api_version`), producer `send/flush`, the send future's `get`, consumer `poll/commit/...`; "
        "confluent-kafka `flush/poll/consume/commit/list_topics`. Iterating a consumer "
        "(`for message in consumer:`) blocks too but is a statement, not a call, and is not reported.",
        functions=("kafka.KafkaProducer", "kafka.KafkaConsumer"),
        methods=(
            "kafka.KafkaProducer.*",
            "kafka.KafkaConsumer.*",
            "kafka.producer.future.FutureRecordMetadata.get",
            *methods("confluent_kafka.Producer", "flush", "poll", "list_topics"),
            *methods("confluent_kafka.Consumer", "poll", "consume", "commit", "list_topics", "committed", "close"),
        ),
        safe_methods=(
            "subscribe", "unsubscribe", "subscription", "assign", "assignment", "pause", "resume", "paused",
            "seek", "seek_to_beginning", "seek_to_end", "metrics", "config",
        ),
        non_waiting={"KafkaProducer": _KAFKA_VERSION_GIVEN, "KafkaConsumer": _KAFKA_VERSION_GIVEN},
        instead=asyncio_library("aiokafka (`AIOKafkaProducer` / `AIOKafkaConsumer`, awaited)", "{api}"),
        why="kafka-python blocks on the network for metadata, for `send` when the buffer is full or "
        "metadata is missing (up to `max_block_ms`, 60 s), and for every `poll`.",
        example=(
            "from kafka import KafkaProducer\n\n\n"
            "async def publish(event: bytes):\n"
            "    producer = KafkaProducer(bootstrap_servers='kafka:9092')\n"
            "    producer.send('events', event).get(timeout=10)"
        ),
        use_instead=(
            "from aiokafka import AIOKafkaProducer\n\n\n"
            "async def publish(event: bytes):\n"
            "    producer = AIOKafkaProducer(bootstrap_servers='kafka:9092')\n"
            "    await producer.start()\n"
            "    await producer.send_and_wait('events', event)"
        ),
    ),
    Rule(
        code="LG214",
        name="pika-blocking-connection",
        domain=_DOMAIN,
        summary="`pika.BlockingConnection(...)` (connects), its `channel()`, `process_data_events`, "
        "`sleep`, `close`, and every `BlockingChannel` operation.",
        functions=("pika.BlockingConnection",),
        methods=("pika.BlockingConnection.*", f"{_BLOCKING_CHANNEL}.*"),
        safe_methods=("add_callback_threadsafe", "add_on_connection_blocked_callback"),
        instead=asyncio_library("aio-pika (`connection = await aio_pika.connect_robust(url)`)", "{api}"),
        why="`BlockingConnection` is pika's synchronous adapter: each call runs its own I/O loop "
        "until the broker answers.",
        example=(
            "import pika\n\n\n"
            "async def publish(body: bytes):\n"
            "    conn = pika.BlockingConnection(pika.ConnectionParameters('rabbit'))\n"
            "    conn.channel().basic_publish(exchange='', routing_key='jobs', body=body)"
        ),
        use_instead=(
            "import aio_pika\n\n\n"
            "async def publish(body: bytes):\n"
            "    conn = await aio_pika.connect_robust('amqp://rabbit/')\n"
            "    channel = await conn.channel()\n"
            "    await channel.default_exchange.publish(aio_pika.Message(body), routing_key='jobs')"
        ),
    ),
    Rule(
        code="LG215",
        name="sync-grpc-channel",
        domain=_DOMAIN,
        summary="A sync gRPC channel in a coroutine: `grpc.insecure_channel/secure_channel`, calls "
        "through its multi-callables, `channel_ready_future(...).result()`.",
        functions=("grpc.insecure_channel", "grpc.secure_channel"),
        methods=(
            *(
                f"grpc.{kind}MultiCallable.{m}"
                for kind in ("UnaryUnary", "UnaryStream", "StreamUnary", "StreamStream")
                for m in ("__call__", "with_call")
            ),
            *methods("grpc.Future", "result", "exception"),
        ),
        instead=asyncio_library(
            "`grpc.aio` (`async with grpc.aio.insecure_channel(target) as channel`)", "{api}"
        ),
        why="Every RPC on a sync channel's stub waits for the response on the calling thread; the "
        "stubs generated for it cannot be awaited.",
        example=(
            "import grpc\n\n"
            "from myapp.greeter_pb2 import HelloRequest\n"
            "from myapp.greeter_pb2_grpc import GreeterStub\n\n\n"
            "async def greet(name):\n"
            "    with grpc.insecure_channel('localhost:50051') as channel:\n"
            "        return GreeterStub(channel).SayHello(HelloRequest(name=name))"
        ),
        use_instead=(
            "import grpc\n\n"
            "from myapp.greeter_pb2 import HelloRequest\n"
            "from myapp.greeter_pb2_grpc import GreeterStub\n\n\n"
            "async def greet(name):\n"
            "    async with grpc.aio.insecure_channel('localhost:50051') as channel:\n"
            "        return await GreeterStub(channel).SayHello(HelloRequest(name=name))"
        ),
    ),
    Rule(
        code="LG216",
        name="sync-websocket-client",
        domain=_DOMAIN,
        summary="websocket-client (`websocket.create_connection`, `WebSocket` I/O, `WebSocketApp.run_forever`) "
        "and the websockets library's sync client (`websockets.sync.client.connect`).",
        functions=("websocket.create_connection", "websockets.sync.client.connect"),
        methods=(
            *methods(
                "websocket.WebSocket", "connect", "send", "send_binary", "send_bytes", "send_frame", "recv",
                "recv_data", "recv_frame", "ping", "pong", "close",
            ),
            "websocket.WebSocketApp.run_forever",
            *methods("websockets.sync.client.ClientConnection", "send", "recv", "recv_streaming", "ping", "close"),
        ),
        instead=asyncio_library(
            "websockets (`async with websockets.connect(url) as ws: await ws.recv()`)",
            trio="trio-websocket (`async with trio_websocket.open_websocket_url(url) as ws`)",
        ),
        why="These clients read and write the WebSocket synchronously.",
        example=(
            "import websocket\n\n\n"
            "async def listen(url):\n"
            "    ws = websocket.create_connection(url)\n"
            "    return ws.recv()"
        ),
        use_instead=(
            "import websockets\n\n\n"
            "async def listen(url):\n"
            "    async with websockets.connect(url) as ws:\n"
            "        return await ws.recv()"
        ),
    ),
)

RETURNS = {
    # all-capital class names are not taken for classes by themselves (they look like constants)
    **{client: client for client in (*_MAIL, *_FTP)},
    "paramiko.SSHClient.open_sftp": "paramiko.SFTPClient",
    "paramiko.SFTPClient.from_transport": "paramiko.SFTPClient",
    "kafka.KafkaProducer.send": "kafka.producer.future.FutureRecordMetadata",
    "pika.BlockingConnection.channel": _BLOCKING_CHANNEL,
    "grpc.channel_ready_future": "grpc.Future",
    "grpc.Channel.unary_unary": "grpc.UnaryUnaryMultiCallable",
    "grpc.Channel.unary_stream": "grpc.UnaryStreamMultiCallable",
    "grpc.Channel.stream_unary": "grpc.StreamUnaryMultiCallable",
    "grpc.Channel.stream_stream": "grpc.StreamStreamMultiCallable",
    "grpc.insecure_channel": "grpc.Channel",
    "grpc.secure_channel": "grpc.Channel",
    "grpc.intercept_channel": "grpc.Channel",
    "websocket.create_connection": "websocket.WebSocket",
    "websockets.sync.client.connect": "websockets.sync.client.ClientConnection",
}

ALIASES = {
    "paramiko.client.SSHClient": "paramiko.SSHClient",
    "paramiko.sftp_client.SFTPClient": "paramiko.SFTPClient",
    "paramiko.SFTP": "paramiko.SFTPClient",
    "kafka.producer.KafkaProducer": "kafka.KafkaProducer",
    "kafka.consumer.KafkaConsumer": "kafka.KafkaConsumer",
    "pika.adapters.blocking_connection.BlockingConnection": "pika.BlockingConnection",
    "pika.adapters.BlockingConnection": "pika.BlockingConnection",
    "websocket._core.WebSocket": "websocket.WebSocket",
    "websocket._core.create_connection": "websocket.create_connection",
    "websocket._app.WebSocketApp": "websocket.WebSocketApp",
    "confluent_kafka.cimpl.Producer": "confluent_kafka.Producer",
    "confluent_kafka.cimpl.Consumer": "confluent_kafka.Consumer",
}
