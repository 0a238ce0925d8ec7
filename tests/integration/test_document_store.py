"""The document store on the real Redis server: what the intake puts, the gateway can verify."""

import hashlib
import uuid

from redis.asyncio import Redis

from runtime.documents import RedisDocumentStore
from tests.support import at_rest


async def test_put_then_describe_gives_digest_and_size_and_unknown_ids_give_none(redis_url):
    client = Redis.from_url(redis_url)
    store = RedisDocumentStore(client, at_rest())
    document_id = f"DOC-{uuid.uuid4().hex}"
    content = b"%PDF-1.4\n%%EOF\n"
    stored = await store.put(document_id, content, "application/pdf")
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    found, missing = await store.describe([document_id, document_id + "-missing"])
    assert found == stored and missing is None
    await client.aclose()
