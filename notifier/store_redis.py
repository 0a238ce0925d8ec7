"""Redis implementations of the notifier's ports.

Layout (keys carry a decision id, a keyed hash or a token hash; never personal data):

* ``insw:notifier:mail:{decision_id}``: the owner id of an attempt in progress,
  with a lease (``PX``), or ``sent`` for good;
* ``insw:notifier:account:{HMAC of the username}``: hash with ``email`` (where
  links go, sealed), ``email_index`` (keyed hash of it), ``current`` (hash of
  the one valid token), ``password`` (Argon2id) and ``activated_at``;
* ``insw:notifier:submission:{submission_id}``: the username (sealed) the
  submission was approved as, so the customs lifecycle's requests, which name
  a submission and never an address, reach the email on file;
* ``insw:notifier:token:{sha256}``: hash with ``username`` (sealed), ``email``
  (the keyed hash the link was bound to), ``expires_at`` (epoch ms) and
  ``used``; kept 30 days past its expiry so a late click still answers "Token
  Expired" rather than "unknown".

Personal data at rest (issue 12): emails and usernames are sealed with the
hub's at-rest key ring and named by keyed hashes (:mod:`runtime.at_rest`).
The scripts compare keyed hashes, or the very sealed bytes they were handed,
so sealing (which is randomised) never changes an answer.

Every check-and-change runs as one Lua script, so two clicks, two notifier
instances or a resend racing a redeem cannot both win.
"""

from typing import Any

from redis.asyncio import Redis

from notifier.store import Account, Claim, Issue, TokenCheck, TokenStatus
from runtime.at_rest import AtRest
from runtime.redis_faults import redis_faults

TOKEN_RETENTION_MS = 30 * 24 * 3600 * 1000

_CLAIM = """
local v = redis.call('GET', KEYS[1])
if v == 'sent' then return 'SENT' end
if v and v ~= ARGV[1] then return 'BUSY' end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 'CLAIMED'
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS: account, token. ARGV: sealed username, email index, token hash, expiry ms,
# retention ms, sealed email. Refuses an active account and another email than the
# one on file (issue 11): the email of an existing account is never rewritten here.
_ISSUE = """
local a = redis.call('HMGET', KEYS[1], 'email_index', 'password')
if a[2] then return 'ACTIVE' end
if a[1] and a[1] ~= ARGV[2] then return 'EMAIL_MISMATCH' end
redis.call('HSET', KEYS[2], 'username', ARGV[1], 'email', ARGV[2], 'expires_at', ARGV[4])
redis.call('PEXPIREAT', KEYS[2], tonumber(ARGV[4]) + tonumber(ARGV[5]))
if a[1] then
  redis.call('HSET', KEYS[1], 'current', ARGV[3])
else
  redis.call('HSET', KEYS[1], 'email', ARGV[6], 'email_index', ARGV[2], 'current', ARGV[3])
end
return 'ISSUED'
"""

# KEYS: account. ARGV: sealed email, email index. The operators' path only.
_CHANGE_EMAIL = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 'UNKNOWN' end
redis.call('HSET', KEYS[1], 'email', ARGV[1], 'email_index', ARGV[2])
redis.call('HDEL', KEYS[1], 'current')
return 'CHANGED'
"""

# KEYS: token, account. ARGV: token hash, now ms, sealed username seen, password hash or ''.
_CHECK_OR_REDEEM = """
local t = redis.call('HMGET', KEYS[1], 'username', 'email', 'expires_at', 'used')
if not t[1] or t[1] ~= ARGV[3] then return 'UNKNOWN' end
if t[4] then return 'USED' end
if tonumber(t[3]) <= tonumber(ARGV[2]) then return 'EXPIRED' end
local a = redis.call('HMGET', KEYS[2], 'email_index', 'current')
if a[2] ~= ARGV[1] or a[1] ~= t[2] then return 'SUPERSEDED' end
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[1], 'used', ARGV[2])
  redis.call('HDEL', KEYS[2], 'current')
  redis.call('HSET', KEYS[2], 'password', ARGV[4], 'activated_at', ARGV[2])
end
return 'VALID'
"""


def mail_key(decision_id: str) -> str:
    """The ledger record of one decision's email."""
    return f"insw:notifier:mail:{decision_id}"


def account_key(username_index: str) -> str:
    """The account record of one username, by its keyed hash (``AtRest.index``)."""
    return f"insw:notifier:account:{username_index}"


def submission_key(submission_id: str) -> str:
    """The username a submission was approved as (sealed)."""
    return f"insw:notifier:submission:{submission_id}"


def token_key(token_hash: str) -> str:
    """The record of one token, by its hash."""
    return f"insw:notifier:token:{token_hash}"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class _RedisPort:
    def __init__(self, redis: "Redis") -> None:
        self._redis = redis

    async def _call(self, script: Any, keys: list[str], args: list[Any]) -> str:
        with redis_faults():
            return _text(await script(keys=keys, args=args))


class RedisMailLedger(_RedisPort):
    """The mail ledger on Redis; failures surface as :class:`TransientFailure`."""

    def __init__(self, redis: "Redis") -> None:
        super().__init__(redis)
        self._claim = redis.register_script(_CLAIM)
        self._release = redis.register_script(_RELEASE)

    async def claim(self, decision_id: str, owner: str, lease_ms: int) -> Claim:
        """See :meth:`notifier.store.MailLedger.claim`."""
        return Claim(await self._call(self._claim, [mail_key(decision_id)], [owner, lease_ms]))

    async def mark_sent(self, decision_id: str) -> None:
        """See :meth:`notifier.store.MailLedger.mark_sent`."""
        with redis_faults():
            await self._redis.set(mail_key(decision_id), "sent")

    async def release(self, decision_id: str, owner: str) -> None:
        """See :meth:`notifier.store.MailLedger.release`."""
        await self._call(self._release, [mail_key(decision_id)], [owner])


class RedisActivationStore(_RedisPort):
    """Accounts and tokens on Redis; failures surface as :class:`TransientFailure`."""

    def __init__(self, redis: "Redis", at_rest: AtRest) -> None:
        super().__init__(redis)
        self._at_rest = at_rest
        self._issue = redis.register_script(_ISSUE)
        self._change_email = redis.register_script(_CHANGE_EMAIL)
        self._check = redis.register_script(_CHECK_OR_REDEEM)

    async def issue(self, username: str, email: str, token_hash: str, expires_at_ms: int) -> Issue:
        """See :meth:`notifier.store.ActivationStore.issue`."""
        seal = self._at_rest.seal
        return Issue(
            await self._call(
                self._issue,
                [self._account_key(username), token_key(token_hash)],
                [
                    seal(username),
                    self._at_rest.index("email", email),
                    token_hash,
                    expires_at_ms,
                    TOKEN_RETENTION_MS,
                    seal(email),
                ],
            )
        )

    async def change_email(self, username: str, email: str) -> bool:
        """See :meth:`notifier.store.ActivationStore.change_email`."""
        done = await self._call(
            self._change_email,
            [self._account_key(username)],
            [self._at_rest.seal(email), self._at_rest.index("email", email)],
        )
        return done == "CHANGED"

    def _account_key(self, username: str) -> str:
        return account_key(self._at_rest.index("username", username))

    async def account(self, username: str) -> Account | None:
        """See :meth:`notifier.store.ActivationStore.account`."""
        with redis_faults():
            email, password = await self._redis.hmget(
                self._account_key(username), ["email", "password"]
            )
        if email is None:
            return None
        opened = self._at_rest.open_text(email)
        return Account(username, opened, activated=password is not None)

    async def link_submission(self, submission_id: str, username: str) -> None:
        """See :meth:`notifier.store.ActivationStore.link_submission`."""
        with redis_faults():
            await self._redis.set(submission_key(submission_id), self._at_rest.seal(username))

    async def account_of_submission(self, submission_id: str) -> Account | None:
        """See :meth:`notifier.store.ActivationStore.account_of_submission`."""
        with redis_faults():
            sealed = await self._redis.get(submission_key(submission_id))
        if sealed is None:
            return None
        return await self.account(self._at_rest.open_text(sealed))

    async def check(self, token_hash: str, now_ms: int) -> TokenCheck:
        """See :meth:`notifier.store.ActivationStore.check`."""
        return await self._check_or_redeem(token_hash, now_ms, "")

    async def redeem(self, token_hash: str, now_ms: int, password_hash: str) -> TokenCheck:
        """See :meth:`notifier.store.ActivationStore.redeem`."""
        return await self._check_or_redeem(token_hash, now_ms, password_hash)

    async def _check_or_redeem(
        self, token_hash: str, now_ms: int, password_hash: str
    ) -> TokenCheck:
        # The (sealed) username is read first only to name the account key; the
        # script checks the same sealed bytes again, so a concurrent change
        # cannot slip between.
        with redis_faults():
            sealed = await self._redis.hget(token_key(token_hash), "username")
        if sealed is None:
            return TokenCheck(TokenStatus.UNKNOWN)
        name = self._at_rest.open_text(sealed)
        status = await self._call(
            self._check,
            [token_key(token_hash), self._account_key(name)],
            [token_hash, now_ms, sealed, password_hash],
        )
        return TokenCheck(TokenStatus(status), name)
