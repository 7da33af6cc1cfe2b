"""Google Cloud client libraries (LG304, in the cloud domain LG3xx).

The sync ``*Client`` classes: constructing one discovers credentials (environment, key file,
metadata server), and every RPC method waits for the service. Objects the clients hand out are
typed too (``client.bucket(name).blob(path).upload_from_filename(...)``, ``client.query(sql).result()``,
``publisher.publish(...).result()``). Local builders (``bucket``, ``blob``, ``collection``,
``document``, ``where``, the ``*_path`` helpers, ``publish`` which only queues the message) are in
``safe_methods``. The ``*AsyncClient`` twins are other types and stay silent.
"""

from loopguard.models import Rule

_STORAGE = "google.cloud.storage"
_BIGQUERY = "google.cloud.bigquery"
_PUBSUB = "google.cloud.pubsub_v1"
_FIRESTORE = "google.cloud.firestore"
_GAPIC = (
    "google.cloud.secretmanager.SecretManagerServiceClient",
    "google.cloud.tasks_v2.CloudTasksClient",
    "google.cloud.kms.KeyManagementServiceClient",
    "google.cloud.speech.SpeechClient",
    "google.cloud.vision.ImageAnnotatorClient",
    "google.cloud.translate.TranslationServiceClient",
    "google.cloud.language.LanguageServiceClient",
)
_CLIENTS = (
    f"{_STORAGE}.Client",
    f"{_BIGQUERY}.Client",
    f"{_PUBSUB}.PublisherClient",
    f"{_PUBSUB}.SubscriberClient",
    f"{_FIRESTORE}.Client",
    "google.cloud.logging.Client",
    *_GAPIC,
)
_HANDED_OUT = (
    f"{_STORAGE}.Bucket",
    f"{_STORAGE}.Blob",
    f"{_BIGQUERY}.QueryJob",
    f"{_BIGQUERY}.LoadJob",
    f"{_BIGQUERY}.CopyJob",
    f"{_BIGQUERY}.ExtractJob",
    f"{_FIRESTORE}.CollectionReference",
    f"{_FIRESTORE}.DocumentReference",
    f"{_FIRESTORE}.Query",
    "google.cloud.logging.Logger",
)
_FUTURES = (
    "google.cloud.pubsub_v1.publisher.futures.Future",
    "google.cloud.pubsub_v1.subscriber.futures.StreamingPullFuture",
)
_PATH_HELPERS = tuple(
    f"{prefix}{name}_path"
    for prefix in ("", "parse_")
    for name in (
        "topic", "subscription", "snapshot", "schema", "secret", "secret_version", "queue", "task",
        "location", "key_ring", "crypto_key", "crypto_key_version", "import_job", "glossary", "model",
        "common_project", "common_location", "common_billing_account", "common_folder", "common_organization",
    )
)
_LOCAL = (
    "bucket", "blob", "batch", "generate_signed_url", "dataset", "publish", "subscribe", "logger",
    "collection", "document", "collection_group", "transaction", "bulk_writer", "field_path",
    "where", "order_by", "limit", "limit_to_last", "offset", "start_at", "start_after", "end_at",
    "end_before", "select", "close",
)

RULES = (
    Rule(
        code="LG304",
        name="google-cloud-sync-client",
        domain="cloud sdks",
        summary="Google Cloud sync `*Client` classes (storage, bigquery, pubsub_v1, firestore, logging, "
        "secretmanager, tasks, kms, speech, vision, translate, language): constructing one, its RPC "
        "methods, and the buckets, blobs, jobs, references and futures it hands out.",
        functions=(*_CLIENTS, f"{_STORAGE}.Client.from_service_account_json"),
        methods=(
            *(f"{owner}.*" for owner in (*_CLIENTS, *_HANDED_OUT)),
            *(f"{future}.{m}" for future in _FUTURES for m in ("result", "exception")),
        ),
        safe_methods=(*_LOCAL, *_PATH_HELPERS),
        instead={
            "asyncio": "the matching `*AsyncClient` (e.g. `firestore.AsyncClient`, "
            "`SecretManagerServiceAsyncClient`; gcloud-aio-storage / gcloud-aio-pubsub for storage and "
            "publishing), or `await asyncio.to_thread(f, ...)`",
            "anyio": "the matching `*AsyncClient`, or `await anyio.to_thread.run_sync(f, ...)`",
            "trio": "`await trio.to_thread.run_sync(f, ...)` (keywords via `functools.partial`)",
        },
        why="The sync clients make an HTTP or gRPC request per call and wait for the response; creating "
        "a client looks for credentials, which can mean reading files and calling the metadata server.",
        example=(
            "from google.cloud import storage\n\n\n"
            "async def publish_report(path):\n"
            "    client = storage.Client()\n"
            "    client.bucket('reports').blob('latest.pdf').upload_from_filename(path)"
        ),
        use_instead=(
            "import asyncio\n\n"
            "from google.cloud import storage\n\n\n"
            "def upload_report(path):\n"
            "    client = storage.Client()\n"
            "    client.bucket('reports').blob('latest.pdf').upload_from_filename(path)\n\n\n"
            "async def publish_report(path):\n"
            "    await asyncio.to_thread(upload_report, path)  # the sync upload, in a thread"
        ),
    ),
)

RETURNS = {
    f"{_STORAGE}.Client.from_service_account_json": f"{_STORAGE}.Client",
    f"{_STORAGE}.Client.from_service_account_info": f"{_STORAGE}.Client",
    f"{_STORAGE}.Client.bucket": f"{_STORAGE}.Bucket",
    f"{_STORAGE}.Client.get_bucket": f"{_STORAGE}.Bucket",
    f"{_STORAGE}.Client.lookup_bucket": f"{_STORAGE}.Bucket",
    f"{_STORAGE}.Client.create_bucket": f"{_STORAGE}.Bucket",
    f"{_STORAGE}.Bucket.blob": f"{_STORAGE}.Blob",
    f"{_STORAGE}.Bucket.get_blob": f"{_STORAGE}.Blob",
    f"{_BIGQUERY}.Client.query": f"{_BIGQUERY}.QueryJob",
    f"{_BIGQUERY}.Client.load_table_from_uri": f"{_BIGQUERY}.LoadJob",
    f"{_BIGQUERY}.Client.load_table_from_file": f"{_BIGQUERY}.LoadJob",
    f"{_BIGQUERY}.Client.load_table_from_dataframe": f"{_BIGQUERY}.LoadJob",
    f"{_BIGQUERY}.Client.load_table_from_json": f"{_BIGQUERY}.LoadJob",
    f"{_BIGQUERY}.Client.copy_table": f"{_BIGQUERY}.CopyJob",
    f"{_BIGQUERY}.Client.extract_table": f"{_BIGQUERY}.ExtractJob",
    f"{_PUBSUB}.PublisherClient.publish": _FUTURES[0],
    f"{_PUBSUB}.SubscriberClient.subscribe": _FUTURES[1],
    f"{_FIRESTORE}.Client.collection": f"{_FIRESTORE}.CollectionReference",
    f"{_FIRESTORE}.Client.collection_group": f"{_FIRESTORE}.Query",
    f"{_FIRESTORE}.Client.document": f"{_FIRESTORE}.DocumentReference",
    f"{_FIRESTORE}.CollectionReference.document": f"{_FIRESTORE}.DocumentReference",
    f"{_FIRESTORE}.DocumentReference.collection": f"{_FIRESTORE}.CollectionReference",
    **{
        f"{_FIRESTORE}.{owner}.{builder}": f"{_FIRESTORE}.Query"
        for owner in ("CollectionReference", "Query")
        for builder in ("where", "order_by", "limit", "limit_to_last", "offset", "select", "start_at",
                        "start_after", "end_at", "end_before")
    },
    "google.cloud.logging.Client.logger": "google.cloud.logging.Logger",
}

ALIASES = {
    f"{_STORAGE}.client.Client": f"{_STORAGE}.Client",
    f"{_STORAGE}.bucket.Bucket": f"{_STORAGE}.Bucket",
    f"{_STORAGE}.blob.Blob": f"{_STORAGE}.Blob",
    f"{_BIGQUERY}.client.Client": f"{_BIGQUERY}.Client",
    f"{_BIGQUERY}.job.QueryJob": f"{_BIGQUERY}.QueryJob",
    f"{_BIGQUERY}.job.LoadJob": f"{_BIGQUERY}.LoadJob",
    "google.cloud.pubsub.PublisherClient": f"{_PUBSUB}.PublisherClient",
    "google.cloud.pubsub.SubscriberClient": f"{_PUBSUB}.SubscriberClient",
    f"{_PUBSUB}.publisher.Client": f"{_PUBSUB}.PublisherClient",
    f"{_PUBSUB}.subscriber.Client": f"{_PUBSUB}.SubscriberClient",
    "google.cloud.firestore_v1.Client": f"{_FIRESTORE}.Client",
    "google.cloud.firestore_v1.client.Client": f"{_FIRESTORE}.Client",
    "google.cloud.firestore_v1.CollectionReference": f"{_FIRESTORE}.CollectionReference",
    "google.cloud.firestore_v1.DocumentReference": f"{_FIRESTORE}.DocumentReference",
    "google.cloud.logging_v2.Client": "google.cloud.logging.Client",
    "google.cloud.secretmanager_v1.SecretManagerServiceClient": _GAPIC[0],
    "google.cloud.tasks.CloudTasksClient": _GAPIC[1],
    "google.cloud.kms_v1.KeyManagementServiceClient": _GAPIC[2],
    "google.cloud.speech_v1.SpeechClient": _GAPIC[3],
    "google.cloud.vision_v1.ImageAnnotatorClient": _GAPIC[4],
    "google.cloud.translate_v3.TranslationServiceClient": _GAPIC[5],
    "google.cloud.language_v1.LanguageServiceClient": _GAPIC[6],
}
