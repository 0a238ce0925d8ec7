"""Signed decision inputs: detached Ed25519 signatures over key, value and lineage.

Why: anyone who can reach the broker could write an agency answer, an
officer decision, a CEISA acceptance or a notification request, and the hub
acted on it (issue 11). Now a channel declares the signers it accepts
(:attr:`contracts.channels.Channel.signers`); producers sign every record for
such a channel when its batch commits (:meth:`SigningKey.sign`), and every
consumer verifies before anything else reads the record (:func:`verified`),
dead-lettering a missing or bad signature with ``SIGNATURE_INVALID``.

**Canonical bytes.** A fixed domain tag, then, each as a 4-byte big-endian
length and the bytes (``0xFFFFFFFF`` for an absent one): the key id, the
record key, the value, and the headers of :data:`contracts.headers.SIGNED`
(correlation id, schema, content type) in that order. Lengths make the
encoding unambiguous; the schema header binds a signature to its channel's
model, so a signed answer cannot be moved to another signed channel. The
topic is not signed: a record keeps its signature on ``T.retry``, ``T.dlq``
and sandbox copies, and consumers check the schema header against their
channel instead.

**Batches** (since stop 25): records sent together are signed in chunks of
up to :data:`runtime.signature_batches.CHUNK`, one signature over the root of
a hash tree whose leaves are the records' canonical bytes; each record
carries its path to the root (``insw-signature-path``). A record signed
alone keeps the per-record signature above. Either way a record verifies on
its own; the verifier remembers the roots it has checked.

**Keys.** ``HUB_SIGNING_KEY`` (a secret: ``<key id>:<base64url private
key>``) is the process's own key; ``HUB_TRUSTED_KEYS`` (public:
``<key id>=<signer>:<base64url public key>`` comma-separated) is the
registry every process shares. Keys rotate by key id: a signer may have
several ids in the registry at once; add the new one everywhere, switch the
signer's ``HUB_SIGNING_KEY``, and drop the old id once nothing signed with
it needs verifying (dead letters, replays). Nothing personal ever goes in a
key id or a signer name.
"""

import base64
import hashlib
import struct
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from nacl import bindings as sodium
from nacl.exceptions import BadSignatureError

from contracts import headers as h
from contracts import signers as known_signers
from contracts.channels import Channel
from runtime import signature_batches as batches
from runtime.consumer import BatchHandler, HandlerResult
from runtime.errors import HubError, PoisonMessage
from runtime.records import Inbound, Outbound

DOMAIN = b"insw-signature/v1\n"
"""Domain separation: these bytes are never valid as anything else the hub signs."""
_ABSENT = struct.pack(">I", 0xFFFFFFFF)
_SIG_BYTES = 64
"""An Ed25519 signature's length. Keys are held as cryptography's objects (parsing,
generation, the registry's checks); signing and verifying go through libsodium
(PyNaCl), which does both in about half of OpenSSL's time here: verifying is
the gateway's largest single cost, three answers per registration
(``bench.signing_cost``, BENCHMARKS.md, stop 24). The signatures are the same
RFC 8032 bytes either way; libsodium also refuses non-canonical ones."""
REASON = "SIGNATURE_INVALID"
"""The reason code of every dead letter this module refuses."""


class SignatureInvalid(PoisonMessage):
    """A record without a valid signature by a signer its channel accepts. Never retried."""

    def __init__(self, why: str) -> None:
        super().__init__(f"{REASON}: {why}")


class KeyProblem(HubError):
    """A signing key or trusted-keys registry that cannot be used (named, never shown)."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _length(value: bytes | None) -> bytes:
    return _ABSENT if value is None else len(value).to_bytes(4, "big")


def _prefix(key_id: str) -> bytes:
    """The canonical bytes up to the key id: the same for every record one key signs."""
    raw = key_id.encode()
    return DOMAIN + _length(raw) + raw


def canonical(
    key_id: str, key: bytes | None, value: bytes | None, signed: Mapping[str, bytes]
) -> bytes:
    """The bytes a signature covers (see the module docstring)."""
    return _canonical(_prefix(key_id), key, value, signed)


def _canonical(
    prefix: bytes, key: bytes | None, value: bytes | None, signed: Mapping[str, bytes]
) -> bytes:
    """:func:`canonical` after the key id (``prefix``: :func:`_prefix`); no copy of ``value``."""
    parts = [prefix, _length(key), key or b"", _length(value), value or b""]
    for name in h.SIGNED:
        header = signed.get(name)
        parts.append(_length(header))
        if header is not None:
            parts.append(header)
    return b"".join(parts)


_SIGNATURE_HEADERS = frozenset(h.SIGNED) | frozenset(h.PROOF)


def signed_headers(headers: Iterable[tuple[str, bytes]]) -> dict[str, bytes]:
    """The signed and proof headers of a raw header list; a repeated one is refused."""
    found: dict[str, bytes] = {}
    for name, value in headers:
        if name in _SIGNATURE_HEADERS:
            if name in found:
                raise SignatureInvalid(f"header {name} appears twice")
            found[name] = value
    return found


@dataclass(frozen=True)
class SigningKey:
    """A process's own private key, with the key id and signer the registry knows it by."""

    key_id: str
    signer: str
    private: Ed25519PrivateKey

    def sign(self, record: Outbound) -> Outbound:
        """``record`` with its signature headers (any older ones replaced)."""
        signature = self._signature(self._message(record))
        return _with_proof(record, self.key_id, signature)

    def sign_batch(self, records: Sequence[Outbound]) -> list[Outbound]:
        """``records`` under one signature (:mod:`runtime.signature_batches`); one alone is
        signed alone, which consumers from before batches read too."""
        if len(records) == 1:
            return [self.sign(records[0])]
        leaves = [batches.leaf(self._message(record)) for record in records]
        paths, root = batches.tree(leaves)
        size = len(records)
        signature = self._signature(batches.root_message(self._prefix, size, root))
        return [
            _with_proof(record, self.key_id, signature, batches.encode(i, size, paths[i]))
            for i, record in enumerate(records)
        ]

    def _message(self, record: Outbound) -> bytes:
        signed: dict[str, bytes] = {
            n: record.headers[n].encode() for n in h.SIGNED if n in record.headers
        }
        return _canonical(self._prefix, record.key, record.value, signed)

    def _signature(self, message: bytes) -> str:
        return _b64(sodium.crypto_sign(message, self._sodium_secret)[:_SIG_BYTES])

    @cached_property
    def _prefix(self) -> bytes:
        return _prefix(self.key_id)

    @cached_property
    def _sodium_secret(self) -> bytes:
        """libsodium's form of the key (seed, then public key): see :data:`_SIG_BYTES`."""
        return self.private.private_bytes_raw() + public_bytes(self.private.public_key())

    def public_entry(self) -> str:
        """This key's line in ``HUB_TRUSTED_KEYS``."""
        return f"{self.key_id}={self.signer}:{_b64(public_bytes(self.private.public_key()))}"

    def secret_text(self) -> str:
        """The value of ``HUB_SIGNING_KEY`` for this key (a secret)."""
        return f"{self.key_id}:{_b64(self.private.private_bytes_raw())}"


def _with_proof(record: Outbound, key_id: str, signature: str, path: str | None = None) -> Outbound:
    """``record`` with these signature headers, any older ones dropped (a stale path too)."""
    headers = {n: v for n, v in record.headers.items() if n not in h.PROOF}
    headers[h.SIGNER] = key_id
    headers[h.SIGNATURE] = signature
    if path is not None:
        headers[h.SIGNATURE_PATH] = path
    return Outbound(record.topic, record.key, record.value, headers)


def public_bytes(key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of a public key."""
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def new_signing_key(signer: str) -> SigningKey:
    """A fresh key for ``signer``; its id names the signer and a digest of the public key."""
    return _keyed(signer, Ed25519PrivateKey.generate())


def development_key(signer: str) -> SigningKey:
    """``signer``'s public development key: fixed, so every development process agrees.

    Public (derived from a published string), hence refused outside development.
    """
    seed = hashlib.sha256(f"insw-hub development signing key\x1f{signer}".encode()).digest()
    return _keyed(signer, Ed25519PrivateKey.from_private_bytes(seed))


def _keyed(signer: str, private: Ed25519PrivateKey) -> SigningKey:
    digest = hashlib.sha256(public_bytes(private.public_key())).hexdigest()[:12]
    return SigningKey(f"{signer}.{digest}", signer, private)


@dataclass(frozen=True)
class TrustedKey:
    """One registry row: a key id, the signer it belongs to, and its public key."""

    key_id: str
    signer: str
    public: Ed25519PublicKey

    @cached_property
    def prefix(self) -> bytes:
        """The canonical bytes up to this key's id (:func:`canonical`), built once."""
        return _prefix(self.key_id)

    @cached_property
    def raw(self) -> bytes:
        """The 32 bytes of the public key, as libsodium takes them."""
        return public_bytes(self.public)

    def check(self, signature: bytes, message: bytes) -> None:
        """Raise :class:`SignatureInvalid` unless ``signature`` is this key's over ``message``."""
        if len(signature) != _SIG_BYTES:
            raise SignatureInvalid(f"signature by {self.key_id} does not match the record")
        try:
            sodium.crypto_sign_open(signature + message, self.raw)
        except BadSignatureError:
            raise SignatureInvalid(
                f"signature by {self.key_id} does not match the record"
            ) from None


class TrustedKeys:
    """The registry: key id -> (signer, public key); several ids per signer allowed."""

    def __init__(self, keys: Iterable[TrustedKey] = ()) -> None:
        self._by_id: dict[str, TrustedKey] = {}
        for key in keys:
            if key.key_id in self._by_id:
                raise KeyProblem(f"HUB_TRUSTED_KEYS names key id {key.key_id} twice")
            self._by_id[key.key_id] = key
        self._by_raw_id = {k.encode(): key for k, key in self._by_id.items()}
        """The same rows by the key id as it arrives in a header: no decoding per record."""
        self._checked_roots: set[tuple[str, bytes, bytes]] = set()
        """Batch signatures checked good, as (key id, signed root message, signature).

        Ed25519 gives the same answer for the same key, message and signature,
        so a remembered one needs no second check; only good ones are kept,
        and each record still hashes its own way up to the root."""

    def remember_root(self, checked: tuple[str, bytes, bytes]) -> None:
        """Keep a checked batch signature; the memory is emptied when it is full."""
        if len(self._checked_roots) >= batches.ROOT_CACHE:
            self._checked_roots.clear()
        self._checked_roots.add(checked)

    def cached_roots(self) -> int:
        """How many checked batch signatures are remembered."""
        return len(self._checked_roots)

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._by_id

    def signer_of(self, key_id: str) -> str | None:
        """The signer a key id belongs to, or None for an unknown id."""
        key = self._by_id.get(key_id)
        return key.signer if key is not None else None

    def render(self) -> str:
        """The registry as ``HUB_TRUSTED_KEYS`` text."""
        return ",".join(
            f"{k.key_id}={k.signer}:{_b64(public_bytes(k.public))}" for k in self._by_id.values()
        )

    def verify(
        self,
        key: bytes | None,
        value: bytes | None,
        headers: Iterable[tuple[str, bytes]],
        accepted: frozenset[str],
        schema: str | None = None,
    ) -> str:
        """The signer of a record whose signature is valid and accepted; else SignatureInvalid.

        ``schema``, when given, must equal the signed ``insw-schema`` header.
        Error texts name key ids and signers only.
        """
        found = signed_headers(headers)
        key_id_raw, signature_raw = found.get(h.SIGNER), found.get(h.SIGNATURE)
        if key_id_raw is None or signature_raw is None:
            raise SignatureInvalid("no signature")
        trusted = self._by_raw_id.get(key_id_raw)
        if trusted is None:
            key_id = key_id_raw.decode("utf-8", "replace")
            raise SignatureInvalid(f"unknown key id {key_id[:80]!r}")
        if trusted.signer not in accepted:
            raise SignatureInvalid(f"signer {trusted.signer} may not write this channel")
        if schema is not None and found.get(h.SCHEMA) != schema.encode():
            raise SignatureInvalid(f"signed schema is not {schema}")
        try:
            signature = _unb64(signature_raw.decode("ascii"))
        except (ValueError, UnicodeDecodeError):
            raise SignatureInvalid(
                f"signature by {trusted.key_id} does not match the record"
            ) from None
        # ``found`` holds proof headers too; the canonical bytes read only the signed ones.
        message = _canonical(trusted.prefix, key, value, found)
        path = found.get(h.SIGNATURE_PATH)
        if path is None:
            trusted.check(signature, message)
        else:
            self._check_batch(trusted, signature, message, path)
        return trusted.signer

    def _check_batch(
        self, trusted: TrustedKey, signature: bytes, message: bytes, path: bytes
    ) -> None:
        """A record signed in a batch: its leaf, up its path, to a root ``trusted`` signed."""
        try:
            index, size, hashes = batches.decode(path)
            root = batches.root_from_path(batches.leaf(message), index, size, hashes)
        except ValueError:
            raise SignatureInvalid(
                f"signature path of {trusted.key_id} does not fit the record"
            ) from None
        signed_root = batches.root_message(trusted.prefix, size, root)
        checked = (trusted.key_id, signed_root, signature)
        if checked not in self._checked_roots:
            trusted.check(signature, signed_root)
            self.remember_root(checked)


def parse_trusted_keys(text: str) -> TrustedKeys:
    """Read ``HUB_TRUSTED_KEYS``: ``<key id>=<signer>:<base64url public key>``, comma-separated."""
    keys = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        key_id, _, rest = item.partition("=")
        signer, _, encoded = rest.partition(":")
        try:
            public = Ed25519PublicKey.from_public_bytes(_unb64(encoded))
        except ValueError:
            raise KeyProblem(f"HUB_TRUSTED_KEYS: key id {key_id[:80]!r} is malformed") from None
        if not key_id or not signer:
            raise KeyProblem("HUB_TRUSTED_KEYS: an entry lacks a key id or a signer")
        keys.append(TrustedKey(key_id, signer, public))
    return TrustedKeys(keys)


def parse_signing_key(text: str, trusted: TrustedKeys) -> SigningKey:
    """Read ``HUB_SIGNING_KEY`` (``<key id>:<base64url private key>``) and check the registry.

    The key id must be in the registry with the same public key: a process
    never signs with a key its peers would refuse.
    """
    key_id, _, encoded = text.strip().partition(":")
    try:
        private = Ed25519PrivateKey.from_private_bytes(_unb64(encoded))
    except ValueError:
        raise KeyProblem("HUB_SIGNING_KEY is malformed") from None
    signer = trusted.signer_of(key_id)
    if signer is None:
        raise KeyProblem(f"HUB_SIGNING_KEY: key id {key_id[:80]!r} is not in HUB_TRUSTED_KEYS")
    entry = trusted._by_id[key_id]
    if public_bytes(entry.public) != public_bytes(private.public_key()):
        raise KeyProblem(f"HUB_SIGNING_KEY: key {key_id!r} does not match its registry entry")
    return SigningKey(key_id, signer, private)


def development_registry(names: Iterable[str] = known_signers.ALL) -> TrustedKeys:
    """Every known signer's development key: the registry a development stack trusts."""
    return TrustedKeys(
        TrustedKey(k.key_id, k.signer, k.private.public_key())
        for k in (development_key(n) for n in names)
    )


def is_development(key: SigningKey) -> bool:
    """Whether ``key`` is a public development key (refused outside development)."""
    return key.key_id == development_key(key.signer).key_id


Sign = Callable[[Sequence[Outbound]], list[Outbound]]


def signer_for(key: SigningKey | None, channels: Iterable[Channel]) -> Sign:
    """Signs, with ``key``, every record bound for a signed channel whose signers include it.

    Records for other topics pass unchanged (a dead letter or a parked record
    keeps the signature it had). A process without a key, or whose signer a
    channel does not accept, leaves the record unsigned: the consumer
    refuses it, which is the point.
    """
    topics = {c.topic for c in channels if key is not None and key.signer in c.signers}

    def sign(records: Sequence[Outbound]) -> list[Outbound]:
        if key is None or not topics:
            return list(records)
        out = list(records)
        mine = [i for i, r in enumerate(out) if r.topic in topics]
        for start in range(0, len(mine), batches.CHUNK):
            chunk = mine[start : start + batches.CHUNK]
            for i, signed in zip(chunk, key.sign_batch([out[i] for i in chunk]), strict=True):
                out[i] = signed
        return out

    return sign


def verified(
    channel: Channel,
    handler: BatchHandler,
    trusted: TrustedKeys,
    accepted: frozenset[str] | None = None,
) -> BatchHandler:
    """``handler`` behind signature verification for ``channel``: the first step of every batch.

    Records that fail go to the dead-letter topic with ``SIGNATURE_INVALID``
    ahead of what the handler returns; the rest reach it with
    :attr:`Inbound.signer` set. ``accepted`` narrows or widens the channel's
    signers (the gateway passes its own agencies' signers).
    """
    if not channel.signed:
        return handler
    allowed = accepted if accepted is not None else channel.signers

    async def handle(batch: Sequence[Inbound]) -> HandlerResult:
        good: list[Inbound] = []
        dead: list[tuple[Inbound, BaseException]] = []
        for record in batch:
            try:
                signer = trusted.verify(
                    record.key, record.value, record.headers, allowed, channel.schema_id
                )
            except SignatureInvalid as error:
                dead.append((record, error))
                continue
            good.append(replace(record, signer=signer))
        result = await handler(good) if good else HandlerResult()
        result.dead[:0] = dead
        return result

    return handle


Publish = Callable[[Sequence[Outbound]], Awaitable[None]]
