"""Issue 12: secrets are SecretStr; a service refuses unset or public ones outside development."""

import pytest

from runtime.at_rest import AtRest, parse_key_ring
from runtime.sealing import SealBroken, new_key
from runtime.secrets import InsecureSecret, development_value, redact_url
from runtime.settings import InfraSettings

COMPOSE_KEY_BEFORE_ISSUE_12 = "Zm9yLWRldmVsb3BtZW50LW9ubHktY2hhbmdlLW1lISE="
SECRET_VARIABLES = ("DLQ_SEAL_KEY", "AT_REST_KEYS", "AT_REST_INDEX_KEY", "AGENCY_CACHE_SECRET")


@pytest.fixture
def bare_env(monkeypatch):
    for name in (*SECRET_VARIABLES, "HUB_ENV", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    ("variable", "read"),
    [
        ("DLQ_SEAL_KEY", InfraSettings.dead_letter_seal),
        ("AT_REST_KEYS", InfraSettings.at_rest),
        ("REDIS_URL", InfraSettings.checked_redis_url),
    ],
)
def test_an_unset_secret_stops_a_service_naming_the_variable(bare_env, variable, read):
    bare_env.setenv("AT_REST_INDEX_KEY", "index")
    for name in ("DLQ_SEAL_KEY", "AT_REST_KEYS"):
        bare_env.setenv(name, new_key())
    bare_env.delenv(variable, raising=False)
    with pytest.raises(InsecureSecret, match=variable) as refused:
        read(InfraSettings())
    assert "HUB_ENV=development" in str(refused.value)


def test_the_key_compose_shipped_and_the_development_stand_ins_are_refused(bare_env):
    bare_env.setenv("DLQ_SEAL_KEY", COMPOSE_KEY_BEFORE_ISSUE_12)
    with pytest.raises(InsecureSecret, match="DLQ_SEAL_KEY is a well-known"):
        InfraSettings().dead_letter_seal()
    bare_env.setenv("AT_REST_INDEX_KEY", "index")
    bare_env.setenv("AT_REST_KEYS", f"{new_key()},{development_value('AT_REST_KEYS')}")
    with pytest.raises(InsecureSecret, match="AT_REST_KEYS is a well-known"):
        InfraSettings().at_rest()


def test_development_starts_with_public_stand_ins_shared_by_every_process(bare_env):
    bare_env.setenv("HUB_ENV", "development")
    sealed = InfraSettings().at_rest().seal(b"Budi Santoso")
    assert InfraSettings().at_rest().open(sealed) == b"Budi Santoso"  # another process agrees
    assert InfraSettings().checked_redis_url() == "redis://127.0.0.1:6379/0"
    InfraSettings().dead_letter_seal()


def test_secrets_stay_out_of_the_settings_repr(bare_env):
    bare_env.setenv("REDIS_URL", "redis://hub:pa55word@cache:6379/0")
    bare_env.setenv("DLQ_SEAL_KEY", "dlq-key-value")
    bare_env.setenv("AT_REST_KEYS", "ring-key-value")
    text = repr(InfraSettings()) + str(InfraSettings().model_dump())
    assert "pa55word" not in text and "dlq-key-value" not in text and "ring-key-value" not in text


def test_redis_urls_are_logged_without_their_password():
    assert redact_url("redis://hub:pa55@127.0.0.1:6379/0") == "redis://hub:***@127.0.0.1:6379/0"
    assert redact_url("redis://:pa55@cache/0") == "redis://:***@cache/0"
    assert redact_url("redis://cache:6379/0") == "redis://cache:6379/0"


def test_the_key_ring_seals_with_the_first_key_and_opens_with_any():
    old, new = new_key(), new_key()
    sealed_old = AtRest([old], b"i").seal("3171011708850001")
    ring = AtRest(parse_key_ring(f" {new} , {old} ,"), b"i")
    assert ring.open(sealed_old) == b"3171011708850001"
    rotated = ring.rotate(sealed_old)
    assert AtRest([new], b"i").open(rotated) == b"3171011708850001"
    with pytest.raises(SealBroken):
        AtRest([old], b"i").open(rotated)


def test_index_is_keyed_and_separates_kinds():
    ring = AtRest([new_key()], b"one")
    assert ring.index("username", "A1B2C3") == ring.index("username", "A1B2C3")
    assert ring.index("username", "A1B2C3") != AtRest([new_key()], b"two").index(
        "username", "A1B2C3"
    )
    assert ring.index("username", "x") != ring.index("email", "x")
    assert "A1B2C3" not in ring.index("username", "A1B2C3")


def test_an_smtp_login_without_its_password_is_refused(bare_env):
    from notifier.settings import NotifierSettings

    assert NotifierSettings().smtp_credentials() is None  # a relay without login
    bare_env.setenv("SMTP_USERNAME", "insw-mailer")
    bare_env.delenv("SMTP_PASSWORD", raising=False)
    with pytest.raises(InsecureSecret, match="SMTP_PASSWORD is not set"):
        NotifierSettings().smtp_credentials()
    bare_env.setenv("SMTP_PASSWORD", "relay-pass")
    assert NotifierSettings().smtp_credentials() == ("insw-mailer", "relay-pass")
    assert "relay-pass" not in repr(NotifierSettings())
