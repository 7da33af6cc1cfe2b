"""Azure SDK sync clients (LG305, in the cloud domain LG3xx).

Every I/O method of the sync clients (``azure.storage.blob``, ``azure.keyvault.*``, ``azure.cosmos``,
``azure.servicebus``) and ``get_token`` of the ``azure.identity`` credentials. Factories that only
build another client (``from_connection_string``, ``get_container_client``, ``get_blob_client``,
``get_database_client``, ``get_queue_sender``...) are in ``safe_methods`` and typed in ``RETURNS``.
The twins under each package's ``.aio`` namespace are other types and stay silent.
"""

from loopguard.catalogue.advice import asyncio_library
from loopguard.models import Rule

_BLOB = "azure.storage.blob"
_COSMOS = "azure.cosmos"
_SERVICEBUS = "azure.servicebus"
_CLIENTS = (
    f"{_BLOB}.BlobServiceClient",
    f"{_BLOB}.ContainerClient",
    f"{_BLOB}.BlobClient",
    f"{_BLOB}.StorageStreamDownloader",
    "azure.storage.queue.QueueClient",
    "azure.data.tables.TableClient",
    "azure.keyvault.secrets.SecretClient",
    "azure.keyvault.keys.KeyClient",
    "azure.keyvault.certificates.CertificateClient",
    f"{_COSMOS}.CosmosClient",
    f"{_COSMOS}.DatabaseProxy",
    f"{_COSMOS}.ContainerProxy",
    f"{_SERVICEBUS}.ServiceBusClient",
    f"{_SERVICEBUS}.ServiceBusSender",
    f"{_SERVICEBUS}.ServiceBusReceiver",
)
_CREDENTIALS = tuple(
    f"azure.identity.{name}"
    for name in (
        "DefaultAzureCredential", "ClientSecretCredential", "ManagedIdentityCredential",
        "AzureCliCredential", "CertificateCredential", "EnvironmentCredential", "WorkloadIdentityCredential",
        "InteractiveBrowserCredential", "DeviceCodeCredential", "ChainedTokenCredential",
    )
)
_FACTORIES = {
    f"{_BLOB}.BlobServiceClient.get_container_client": f"{_BLOB}.ContainerClient",
    f"{_BLOB}.BlobServiceClient.get_blob_client": f"{_BLOB}.BlobClient",
    f"{_BLOB}.ContainerClient.get_blob_client": f"{_BLOB}.BlobClient",
    f"{_COSMOS}.CosmosClient.get_database_client": f"{_COSMOS}.DatabaseProxy",
    f"{_COSMOS}.DatabaseProxy.get_container_client": f"{_COSMOS}.ContainerProxy",
    f"{_SERVICEBUS}.ServiceBusClient.get_queue_sender": f"{_SERVICEBUS}.ServiceBusSender",
    f"{_SERVICEBUS}.ServiceBusClient.get_topic_sender": f"{_SERVICEBUS}.ServiceBusSender",
    f"{_SERVICEBUS}.ServiceBusClient.get_queue_receiver": f"{_SERVICEBUS}.ServiceBusReceiver",
    f"{_SERVICEBUS}.ServiceBusClient.get_subscription_receiver": f"{_SERVICEBUS}.ServiceBusReceiver",
}

RULES = (
    Rule(
        code="LG305",
        name="azure-sync-client",
        domain="cloud sdks",
        summary="Azure sync clients (blob storage, queues, tables, Key Vault, Cosmos DB, Service Bus): "
        "every I/O method, `CosmosClient(...)` (it reads the account on construction), and "
        "`get_token` of `azure.identity` credentials.",
        functions=(f"{_COSMOS}.CosmosClient",),
        methods=(
            *(f"{client}.*" for client in _CLIENTS),
            *(f"{credential}.{m}" for credential in _CREDENTIALS for m in ("get_token", "get_token_info")),
        ),
        safe_methods=(
            *sorted({factory.rpartition(".")[2] for factory in _FACTORIES}),
            "from_connection_string", "from_blob_url", "from_container_url", "from_queue_url", "close",
        ),
        instead=asyncio_library(
            "the `.aio` twin (`azure.storage.blob.aio.BlobServiceClient`, "
            "`azure.identity.aio.DefaultAzureCredential`, ...), used with `async with` and `await`",
            "{api}",
        ),
        why="The sync clients send each request and wait for the response on the calling thread; a "
        "credential's `get_token` may call Azure AD, the managed-identity endpoint or the Azure CLI.",
        example=(
            "from azure.identity import DefaultAzureCredential\n"
            "from azure.storage.blob import BlobServiceClient\n\n"
            "ACCOUNT_URL = 'https://example.blob.core.windows.net'\n\n\n"
            "async def save(name, data: bytes):\n"
            "    credential = DefaultAzureCredential()\n"
            "    service = BlobServiceClient(ACCOUNT_URL, credential=credential)\n"
            "    service.get_blob_client('reports', name).upload_blob(data)"
        ),
        use_instead=(
            "from azure.identity.aio import DefaultAzureCredential\n"
            "from azure.storage.blob.aio import BlobServiceClient\n\n"
            "ACCOUNT_URL = 'https://example.blob.core.windows.net'\n\n\n"
            "async def save(name, data: bytes):\n"
            "    credential = DefaultAzureCredential()\n"
            "    async with BlobServiceClient(ACCOUNT_URL, credential=credential) as service:\n"
            "        await service.get_blob_client('reports', name).upload_blob(data)"
        ),
    ),
)

RETURNS = {
    **_FACTORIES,
    **{
        f"{client}.from_connection_string": client
        for client in (f"{_BLOB}.BlobServiceClient", f"{_BLOB}.ContainerClient", f"{_BLOB}.BlobClient",
                       f"{_COSMOS}.CosmosClient", f"{_SERVICEBUS}.ServiceBusClient",
                       "azure.storage.queue.QueueClient", "azure.data.tables.TableClient")
    },
    f"{_BLOB}.ContainerClient.from_container_url": f"{_BLOB}.ContainerClient",
    f"{_BLOB}.BlobClient.from_blob_url": f"{_BLOB}.BlobClient",
    "azure.storage.queue.QueueClient.from_queue_url": "azure.storage.queue.QueueClient",
    f"{_BLOB}.BlobClient.download_blob": f"{_BLOB}.StorageStreamDownloader",
    f"{_BLOB}.ContainerClient.download_blob": f"{_BLOB}.StorageStreamDownloader",
}

ALIASES = {
    f"{_BLOB}._blob_service_client.BlobServiceClient": f"{_BLOB}.BlobServiceClient",
    f"{_BLOB}._container_client.ContainerClient": f"{_BLOB}.ContainerClient",
    f"{_BLOB}._blob_client.BlobClient": f"{_BLOB}.BlobClient",
    f"{_COSMOS}.cosmos_client.CosmosClient": f"{_COSMOS}.CosmosClient",
    "azure.identity._credentials.default.DefaultAzureCredential": "azure.identity.DefaultAzureCredential",
}
