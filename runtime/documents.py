"""The hub's document store: uploaded files, referenced from messages by claim check.

A Surat Kuasa never travels through Kafka. The intake stores the bytes here
and the submission carries ``document_id`` + ``sha256``; the gateway checks
that the reference resolves and that the digest matches before it decides
(R11). Both services use this module, so the key layout lives in one place.

Redis layout: ``insw:doc:{document_id}`` is a hash with ``sha256``, ``size``,
``media_type`` and ``content``. The content is sealed with the hub's at-rest
key ring (:mod:`runtime.at_rest`): a Surat Kuasa names the applicant and the
director, with their NIK. The digest is of the original bytes, so the claim
check still compares with what the portal sent.
"""

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from redis.asyncio import Redis

from runtime.at_rest import AtRest
from runtime.redis_faults import redis_faults

DOCUMENT_TTL_SECONDS = 400 * 24 * 3600


@dataclass(frozen=True)
class StoredDocument:
    """What the store knows of a document without reading its bytes."""

    document_id: str
    sha256: str
    size: int
    media_type: str


class DocumentStore(Protocol):
    """Where uploaded documents live."""

    async def put(self, document_id: str, content: bytes, media_type: str) -> StoredDocument:
        """Store ``content`` under ``document_id`` (idempotent for the same bytes)."""

    async def describe(self, document_ids: Sequence[str]) -> list[StoredDocument | None]:
        """Digest and size of each document, ``None`` where the id does not resolve."""

    async def delete(self, document_id: str) -> None:
        """Forget a document whose submission was never accepted (nothing else refers to it)."""


def document_key(document_id: str) -> str:
    """The Redis key of a document (shared with devstack's seeding)."""
    return f"insw:doc:{document_id}"


def document_fields(
    content: bytes, media_type: str, at_rest: AtRest
) -> Mapping[Any, str | int | bytes]:
    """The hash fields of a document (shared with devstack's seeding): content sealed."""
    return {
        "sha256": hashlib.sha256(content).hexdigest(),
        "size": len(content),
        "media_type": media_type,
        "content": at_rest.seal(content),
    }


class RedisDocumentStore:
    """Documents in Redis: the hub's documents are small (R11: at most 1 MB)."""

    def __init__(self, redis: "Redis", at_rest: AtRest) -> None:
        self._redis = redis
        self._at_rest = at_rest

    async def _run(self, pipe: Any) -> list[Any]:
        with redis_faults():
            return list(await pipe.execute())

    async def put(self, document_id: str, content: bytes, media_type: str) -> StoredDocument:
        """See :meth:`DocumentStore.put`."""
        stored = StoredDocument(
            document_id, hashlib.sha256(content).hexdigest(), len(content), media_type
        )
        pipe = self._redis.pipeline(transaction=False)
        pipe.hset(
            document_key(document_id), mapping=document_fields(content, media_type, self._at_rest)
        )
        pipe.expire(document_key(document_id), DOCUMENT_TTL_SECONDS)
        await self._run(pipe)
        return stored

    async def delete(self, document_id: str) -> None:
        """See :meth:`DocumentStore.delete`."""
        with redis_faults():
            await self._redis.delete(document_key(document_id))

    async def describe(self, document_ids: Sequence[str]) -> list[StoredDocument | None]:
        """See :meth:`DocumentStore.describe`."""
        if not document_ids:
            return []
        pipe = self._redis.pipeline(transaction=False)
        for document_id in document_ids:
            pipe.hmget(document_key(document_id), "sha256", "size", "media_type")
        found = []
        for document_id, (sha, size, media) in zip(
            document_ids, await self._run(pipe), strict=True
        ):
            found.append(
                None
                if sha is None
                else StoredDocument(document_id, sha.decode(), int(size), media.decode())
            )
        return found

    async def content(self, document_id: str) -> bytes | None:
        """The document's original bytes (for an officer's review), ``None`` if unknown."""
        with redis_faults():
            sealed = await self._redis.hget(document_key(document_id), "content")
        return None if sealed is None else self._at_rest.open(sealed)


class MemoryDocumentStore:
    """A dictionary standing in for Redis, for unit tests."""

    def __init__(self) -> None:
        self.documents: dict[str, tuple[StoredDocument, bytes]] = {}

    async def put(self, document_id: str, content: bytes, media_type: str) -> StoredDocument:
        """See :meth:`DocumentStore.put`."""
        stored = StoredDocument(
            document_id, hashlib.sha256(content).hexdigest(), len(content), media_type
        )
        self.documents[document_id] = (stored, content)
        return stored

    async def delete(self, document_id: str) -> None:
        """See :meth:`DocumentStore.delete`."""
        self.documents.pop(document_id, None)

    async def describe(self, document_ids: Sequence[str]) -> list[StoredDocument | None]:
        """See :meth:`DocumentStore.describe`."""
        return [self.documents[d][0] if d in self.documents else None for d in document_ids]

    async def content(self, document_id: str) -> bytes | None:
        """See :meth:`RedisDocumentStore.content`."""
        found = self.documents.get(document_id)
        return None if found is None else found[1]
