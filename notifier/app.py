"""Composition root of the notifier: Redis ports, SMTP, the subscriber and the HTTP endpoints.

Nothing connects at import time; :func:`build` wires objects and the
FastStream lifecycle starts the HTTP server and closes Redis.
"""

from datetime import timedelta

from faststream import FastStream

from contracts import signers, topics
from notifier.accounts import Accounts
from notifier.endpoints import HttpServer, OperatorDesk, make_app
from notifier.handlers import Notifier
from notifier.mailer import SmtpMailer
from notifier.resend import PER_CLIENT, PER_USERNAME
from notifier.settings import NotifierSettings
from notifier.store_redis import RedisActivationStore, RedisMailLedger
from notifier.tokens import Tokens
from runtime import ops
from runtime.rate_limit import RateLimits
from runtime.service import HubService


def build(settings: NotifierSettings) -> FastStream:
    """The notifier service, ready for ``app.run()``."""
    service = HubService(settings, name=settings.notifier_group_id, signer=signers.NOTIFIER)
    redis = settings.redis()
    store = RedisActivationStore(redis, settings.at_rest())
    tokens = Tokens(
        store,
        base_url=settings.public_base_url,
        ttl=timedelta(seconds=settings.activation_ttl_seconds),
    )
    mailer = SmtpMailer(
        settings.smtp_host,
        settings.smtp_port,
        timeout_seconds=settings.smtp_timeout_seconds,
        credentials=settings.smtp_credentials(),
    )
    notifier = Notifier(
        RedisMailLedger(redis),
        tokens,
        mailer,
        sender=settings.mail_sender,
        lease=timedelta(seconds=settings.mail_claim_seconds),
    )
    service.subscribe(
        topics.NOTIFICATION_REQUESTED,
        handler=notifier.on_requests,
        description="Decision emails: approval with username and link, rejection with reasons.",
    )
    token = settings.notifier_operator_token
    operators = (
        OperatorDesk(token.get_secret_value(), store, service.publish)
        if token is not None and token.get_secret_value().strip()
        else None
    )
    endpoints = make_app(
        Accounts(tokens, store, mailer, sender=settings.mail_sender),
        limits := RateLimits.on_redis(
            settings.checked_redis_url(),
            {
                PER_USERNAME: settings.resend_limit_per_username,
                PER_CLIENT: settings.resend_limit_per_client,
            },
        ),
        operators,
    )
    ops.add_routes(endpoints, service.ops)
    http = HttpServer(endpoints, settings.notifier_http_host, settings.notifier_http_port)
    return service.app(
        on_startup=[http.start], after_shutdown=[http.stop, limits.aclose, redis.aclose]
    )
