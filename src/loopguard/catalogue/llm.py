"""LLM API clients (LG217-LG218, in the network domain LG2xx): the sync OpenAI and Anthropic SDKs.

Their operations hang off resource chains (``client.chat.completions.create(...)``,
``client.messages.create(...)``), so the client's resource attributes are typed in ``ATTRIBUTES``
and every attribute read off a resource is another resource (``Type.*``); any method called on a
resource is an HTTPS request. The async clients (``AsyncOpenAI``, ``AsyncAnthropic``) are other
types, and stay silent. Constructing a client does no I/O.
"""

from loopguard.models import LIBRARIES, Rule

_DOMAIN = "http and network"
_OPENAI = ("openai.OpenAI", "openai.AzureOpenAI")
_OPENAI_RESOURCE = "openai.resources.SyncAPIResource"
_OPENAI_RESOURCES = (
    "chat", "completions", "embeddings", "files", "images", "audio", "moderations", "models",
    "fine_tuning", "vector_stores", "beta", "batches", "uploads", "responses", "evals", "containers",
    "realtime", "conversations", "webhooks",
)
_ANTHROPIC = ("anthropic.Anthropic", "anthropic.AnthropicBedrock", "anthropic.AnthropicVertex")
_ANTHROPIC_RESOURCE = "anthropic.resources.SyncAPIResource"
_ANTHROPIC_RESOURCES = ("messages", "completions", "models", "beta")

RULES = (
    Rule(
        code="LG217",
        name="openai-sync-client",
        domain=_DOMAIN,
        summary="Requests through the sync `openai.OpenAI`/`AzureOpenAI` client or the `openai` module's "
        "default client: `client.chat.completions.create(...)`, `client.embeddings.create(...)`, ...",
        methods=(f"{_OPENAI_RESOURCE}.*",),
        # the async clients are built on anyio, so they serve trio too
        instead=dict.fromkeys(
            LIBRARIES, "`openai.AsyncOpenAI` (`await client.chat.completions.create(...)`)"
        ),
        why="The sync client waits for the whole HTTPS round trip, often seconds for a completion.",
        example=(
            "from openai import OpenAI\n\n\n"
            "async def answer(question):\n"
            "    client = OpenAI()\n"
            "    messages = [{'role': 'user', 'content': question}]\n"
            "    return client.chat.completions.create(model='gpt-4o', messages=messages)"
        ),
        use_instead=(
            "from openai import AsyncOpenAI\n\n\n"
            "async def answer(question):\n"
            "    client = AsyncOpenAI()\n"
            "    messages = [{'role': 'user', 'content': question}]\n"
            "    return await client.chat.completions.create(model='gpt-4o', messages=messages)"
        ),
    ),
    Rule(
        code="LG218",
        name="anthropic-sync-client",
        domain=_DOMAIN,
        summary="Requests through the sync `anthropic.Anthropic` client (also Bedrock and Vertex): "
        "`client.messages.create(...)`, `client.messages.stream(...)`, `client.models.list()`, ...",
        methods=(f"{_ANTHROPIC_RESOURCE}.*",),
        # the async clients are built on anyio, so they serve trio too
        instead=dict.fromkeys(
            LIBRARIES, "`anthropic.AsyncAnthropic` (`await client.messages.create(...)`)"
        ),
        why="The sync client waits for the whole HTTPS round trip, often seconds for a message.",
        example=(
            "from anthropic import Anthropic\n\n\n"
            "async def answer(question):\n"
            "    client = Anthropic()\n"
            "    messages = [{'role': 'user', 'content': question}]\n"
            "    return client.messages.create(\n"
            "        model='claude-sonnet-4-5', max_tokens=1024, messages=messages\n"
            "    )"
        ),
        use_instead=(
            "from anthropic import AsyncAnthropic\n\n\n"
            "async def answer(question):\n"
            "    client = AsyncAnthropic()\n"
            "    messages = [{'role': 'user', 'content': question}]\n"
            "    return await client.messages.create(\n"
            "        model='claude-sonnet-4-5', max_tokens=1024, messages=messages\n"
            "    )"
        ),
    ),
)

RETURNS = {f"{client}.{m}": client for client in (*_OPENAI, *_ANTHROPIC) for m in ("with_options", "copy")}

ATTRIBUTES = {
    **{f"{client}.{name}": _OPENAI_RESOURCE for client in _OPENAI for name in _OPENAI_RESOURCES},
    # the module-level default client: `openai.chat.completions.create(...)`
    **{f"openai.{name}": _OPENAI_RESOURCE for name in _OPENAI_RESOURCES},
    f"{_OPENAI_RESOURCE}.*": _OPENAI_RESOURCE,
    **{f"{client}.{name}": _ANTHROPIC_RESOURCE for client in _ANTHROPIC for name in _ANTHROPIC_RESOURCES},
    f"{_ANTHROPIC_RESOURCE}.*": _ANTHROPIC_RESOURCE,
}

ALIASES = {
    "openai._client.OpenAI": "openai.OpenAI",
    "openai.Client": "openai.OpenAI",
    "openai.lib.azure.AzureOpenAI": "openai.AzureOpenAI",
    "anthropic._client.Anthropic": "anthropic.Anthropic",
    "anthropic.Client": "anthropic.Anthropic",
}
