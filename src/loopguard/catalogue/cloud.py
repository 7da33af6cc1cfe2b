"""Cloud SDKs (LG3xx): boto3 here (LG301-LG303); Google Cloud in ``gcloud.py``, Azure in ``azure.py``."""

from loopguard.catalogue.advice import asyncio_library
from loopguard.models import Rule

_AIOBOTO = (
    "aiobotocore (`async with get_session().create_client(...) as client`) "
    "or aioboto3 (`async with aioboto3.Session().client(...) as client`)"
)

RULES = (
    Rule(
        code="LG301",
        name="boto3-client-creation",
        domain="cloud sdks",
        summary="Creating a boto3 client or resource (`boto3.client`, `boto3.resource`, `Session().client`).",
        functions=("boto3.client", "boto3.resource"),
        methods=("boto3.session.Session.client", "boto3.session.Session.resource"),
        instead={"asyncio": _AIOBOTO},
        why="Creating a client reads configuration, credentials and the service model from disk, "
        "and may call the instance metadata service.",
        example=(
            "import boto3\n\n\n"
            "async def upload(data: bytes):\n"
            "    s3 = boto3.client('s3')"
        ),
        use_instead=(
            "from aiobotocore.session import get_session\n\n\n"
            "async def upload(data: bytes):\n"
            "    async with get_session().create_client('s3') as s3:\n"
            "        await s3.put_object(Bucket='b', Key='k', Body=data)"
        ),
    ),
    Rule(
        code="LG302",
        name="boto3-operation",
        domain="cloud sdks",
        summary="Any operation on a boto3 client or resource.",
        methods=("boto3.Client.*", "boto3.Resource.*"),
        safe_methods=("get_paginator", "get_waiter", "can_paginate", "close", "meta", "exceptions"),
        instead={"asyncio": _AIOBOTO},
        why="Every boto3 operation is a synchronous HTTPS request to the service.",
        example=(
            "import boto3\n\n"
            "s3 = boto3.client('s3')\n\n\n"
            "async def upload(data: bytes):\n"
            "    s3.put_object(Bucket='b', Key='k', Body=data)"
        ),
        use_instead=(
            "from aiobotocore.session import get_session\n\n\n"
            "async def upload(data: bytes):\n"
            "    async with get_session().create_client('s3') as s3:\n"
            "        await s3.put_object(Bucket='b', Key='k', Body=data)"
        ),
    ),
    Rule(
        code="LG303",
        name="boto3-paginator-waiter",
        lazy_results=("boto3.Paginator.paginate",),
        domain="cloud sdks",
        summary="`paginator.paginate(...)` (its pages are only read by blocking iteration) and "
        "`waiter.wait(...)` on boto3 paginators and waiters (`client.get_paginator/get_waiter`).",
        methods=(
            "boto3.Paginator.paginate",
            "boto3.PageIterator.build_full_result",
            "boto3.PageIterator.search",
            "boto3.Waiter.wait",
        ),
        instead=asyncio_library(
            _AIOBOTO + "; `async for page in paginator.paginate(...)`, `await waiter.wait(...)`", "{api}"
        ),
        why="Each page is a request made while iterating; a waiter polls the service with sleeps in "
        "between, for minutes if need be.",
        example=(
            "import boto3\n\n"
            "s3 = boto3.client('s3')\n\n\n"
            "async def keys():\n"
            "    for page in s3.get_paginator('list_objects_v2').paginate(Bucket='b'):\n"
            "        for item in page.get('Contents', []):\n"
            "            yield item"
        ),
        use_instead=(
            "from aiobotocore.session import get_session\n\n\n"
            "async def keys():\n"
            "    async with get_session().create_client('s3') as s3:\n"
            "        async for page in s3.get_paginator('list_objects_v2').paginate(Bucket='b'):\n"
            "            for item in page.get('Contents', []):\n"
            "                yield item"
        ),
    ),
)

RETURNS = {
    "boto3.client": "boto3.Client",
    "boto3.resource": "boto3.Resource",
    "boto3.session.Session.client": "boto3.Client",
    "boto3.session.Session.resource": "boto3.Resource",
    "boto3.Client.get_paginator": "boto3.Paginator",
    "boto3.Client.get_waiter": "boto3.Waiter",
    "boto3.Paginator.paginate": "boto3.PageIterator",
}

ALIASES = {
    "boto3.Session": "boto3.session.Session",
}
