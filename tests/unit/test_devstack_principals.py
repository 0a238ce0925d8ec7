"""devstack gives each process its own Kafka principal, per-stack passwords, and prints none.

Why: the broker's ACLs are only as good as the credentials handed out. A
service started with the superuser's password, or a password in a terminal's
scrollback, would undo them without any test against the broker noticing.
"""

from devstack import __main__ as cli
from devstack.infra import Infrastructure, password_variable
from devstack.stack import service_specs
from topology.services import listener_keys, services

PORTS = {key: 10_000 + n for n, key in enumerate(listener_keys(services()))}


def test_every_kafka_service_spec_names_its_own_principal():
    specs = {s.name: s for s in service_specs("127.0.0.1:1", "redis://x", PORTS)}
    assert specs["gateway"].principal == "gateway"
    assert specs["adapters-oss_nib"].principal == "adapter-oss"
    assert specs["simulator-ceisa"].principal == "ceisa"
    assert specs["simulator-oss"].principal is None  # no Kafka
    for spec in specs.values():
        assert "KAFKA_SASL_PASSWORD" not in spec.env  # added at start, from the stack


def test_passwords_are_made_per_stack_and_given_only_to_their_principal():
    one, two = Infrastructure(env={}), Infrastructure(env={})
    assert one.kafka_passwords["gateway"] != two.kafka_passwords["gateway"]
    assert len(set(one.kafka_passwords.values())) == len(one.kafka_passwords)
    env = one.principal_env("gateway")
    assert env["KAFKA_SASL_USERNAME"] == "gateway"
    assert env["KAFKA_SASL_PASSWORD"] == one.kafka_passwords["gateway"]
    assert "KAFKA_SASL_PASSWORD" not in one.principal_env(None)


def test_the_development_switch_gives_no_principal():
    infra = Infrastructure(env={"KAFKA_SECURITY_PROTOCOL": "PLAINTEXT"})
    assert not infra.secure
    assert infra.principal_env("gateway") == {"KAFKA_SECURITY_PROTOCOL": "PLAINTEXT"}


def test_secrets_prints_a_kafka_password_per_principal(capsys):
    cli.cmd_secrets()
    out = capsys.readouterr().out
    for principal in ("admin", "gateway", "portal", "integrator", "officer-desk", "operator"):
        assert f"{password_variable(principal)}=" in out


def test_the_printed_environment_holds_no_password(capsys, tmp_path, monkeypatch):
    infra = Infrastructure(env={})
    monkeypatch.setattr(cli, "new_run_dir", lambda name: tmp_path)
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
        "KAFKA_SASL_USERNAME": "admin",
        "KAFKA_SASL_PASSWORD": infra.kafka_passwords["admin"],
        password_variable("portal"): infra.kafka_passwords["portal"],
    }
    cli._print_env(env)
    captured = capsys.readouterr()
    for password in (infra.kafka_passwords["admin"], infra.kafka_passwords["portal"]):
        assert password not in captured.out + captured.err
        assert password in (tmp_path / "stack.env").read_text()
