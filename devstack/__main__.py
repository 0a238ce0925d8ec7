"""Command line: ``python -m devstack {infra,run,jars,topics,demo,compose,secrets}``.

Why: ``./hub`` is a thin bash wrapper; the actual work (ports, processes,
clean shutdown) lives here in Python where it is typed, linted and tested.

* ``infra`` starts Kafka and Redis, prints their env lines, waits for Ctrl-C;
* ``run`` starts the whole stack, submits the example registrations and
  prints the decisions until Ctrl-C;
* ``jars`` fetches the Kafka jars into the user cache (used by bootstrap);
* ``topics`` creates the hub's topics and ACLs on ``KAFKA_BOOTSTRAP_SERVERS``;
* ``kafka-config`` writes compose's broker configuration (its init step);
* ``demo`` submits the examples to a hub already running there (compose;
  ``HUB_EXAMPLES_DIR`` says where the examples are when not in the checkout);
* ``seed`` puts the example Surat Kuasa in the document store (compose's one-shot);
* ``compose`` prints ``docker-compose.yml`` as :mod:`topology.services` declares it
  (``--brokers 3``: the override ``docker-compose.cluster.yml`` for three brokers).
* ``secrets`` prints a fresh set of the hub's secrets as ``.env`` lines, for
  docker compose (``./hub secrets > .env``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
import time
from pathlib import Path

from contracts import signers
from devstack.endpoints import newcomer_files
from devstack.infra import (
    STACK_SECRETS,
    Infrastructure,
    hub_principals,
    password_variable,
    signing_key_variable,
    trusted_registry,
)
from devstack.paths import new_run_dir
from devstack.processes import ServiceDiedError
from devstack.stack import Stack
from intake.portals import key_hash, new_api_key
from runtime.secrets import redact_url
from runtime.signing import new_signing_key


def _say(line: str) -> None:
    """Progress goes to stderr so stdout holds only machine-readable env lines."""
    print(f"devstack: {line}", file=sys.stderr, flush=True)


def _print_env(env: dict[str, str]) -> None:
    """Print the env lines without secrets; the full set goes to a file only its owner reads.

    Why: a terminal's scrollback and CI logs are kept and shared; the
    secrets of the stack (its keys, the Redis password) must not be in them.
    """
    full = new_run_dir(f"env-{os.getpid()}") / "stack.env"  # swept once this process is gone
    full.touch(mode=0o600)
    full.write_text("".join(f"{key}={value}\n" for key, value in env.items()))
    for key, value in env.items():
        if key in STACK_SECRETS or key.startswith("SIGNING_KEY_") or "PASSWORD" in key:
            continue
        print(f"{key}={redact_url(value) if key == 'REDIS_URL' else value}", flush=True)
    _say(f"the full environment, secrets included, is in {full} (mode 600)")


def _signing_lines(infra: Infrastructure) -> dict[str, str]:
    """Every signer's private key of the stack, for the mode-600 file only (never printed)."""
    return {signing_key_variable(s): k.secret_text() for s, k in infra.signing_keys.items()}


def _full_env(infra: Infrastructure) -> dict[str, str]:
    """The stack's variables, the superuser's principal, every principal's password and key.

    The file :func:`_print_env` writes is how a developer acts as a
    participant (``KAFKA_SASL_USERNAME=portal KAFKA_SASL_PASSWORD=$KAFKA_PASSWORD_PORTAL``).
    """
    passwords = {password_variable(p): pw for p, pw in infra.kafka_passwords.items()}
    return {**infra.env(), **infra.admin_env(), **passwords, **_signing_lines(infra)}


def cmd_infra(brokers: int = 1) -> int:
    """Run Kafka (``brokers`` of them) + Redis until Ctrl-C; exit 1 if one dies meanwhile."""
    with Infrastructure(brokers=brokers) as infra:
        _say(infra.describe_kafka())
        _say(infra.describe_redis())
        _print_env(_full_env(infra))
        _say("ready; Ctrl-C to stop")
        try:
            while True:
                time.sleep(1)
                for process in infra.processes():
                    if not process.alive():
                        _say(str(process.died_error("exited unexpectedly")))
                        return 1
        except KeyboardInterrupt:
            _say("stopping")
    return 0


async def _watch(stack: Stack) -> None:
    """Return (raising) as soon as any service of the stack has died."""
    while True:
        await asyncio.sleep(1)
        stack.check_alive()


async def _serve(stack: Stack) -> None:
    from devstack.demo import submit_examples_and_print

    demo = asyncio.create_task(
        submit_examples_and_print(
            stack.bootstrap_servers,
            portal=stack.infra.security("portal"),
            reader=stack.infra.security("integrator"),
        )
    )
    watch = asyncio.create_task(_watch(stack))
    try:
        done, _ = await asyncio.wait({demo, watch}, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()  # re-raises a death or demo failure
    finally:
        for task in (demo, watch):
            task.cancel()
        await asyncio.gather(demo, watch, return_exceptions=True)


def cmd_run() -> int:
    """Run the full stack and the demo until Ctrl-C."""
    with Stack() as stack:
        _say(stack.infra.describe_kafka())
        _say(stack.infra.describe_redis())
        _say("services: " + ", ".join(p.name for p in stack.group.processes))
        table, env_file = newcomer_files(stack)
        _say("endpoints (officers sign in with the test accounts of devstack/issuer.py):")
        sys.stderr.write(table)
        _say(f"for kcat and curl (docs/INTEGRATE.md): source {env_file}")
        _say(f"mailbox files: {stack.mailbox_dir}")
        _print_env(_full_env(stack.infra))
        try:
            asyncio.run(_serve(stack))
        except KeyboardInterrupt:
            _say("stopping")
        except ServiceDiedError as error:
            _say(str(error))
            return 1
    return 0


def cmd_topics() -> int:
    """Create the hub's topics and ACLs on ``KAFKA_BOOTSTRAP_SERVERS`` (compose's init step).

    Runs as the principal the environment names: the superuser in compose.
    ``KAFKA_REPLICATION_FACTOR`` / ``KAFKA_MIN_INSYNC_REPLICAS`` (compose's
    cluster file: 3 / 2) say how many copies; one broker's 1 / 1 by default.
    """
    from contracts.acl import provisioned_topics
    from contracts.channels import topic_configs
    from devstack.infra import TOPIC_PARTITIONS
    from devstack.kafka import (
        create_topics,
        replication_from_environment,
        run_sync,
        wait_for_brokers,
    )
    from hubctl.acl import apply
    from runtime.kafka_security import PLAINTEXT, from_environment

    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    replication = replication_from_environment(os.environ)
    if replication.factor > 1:  # a topic with 3 copies cannot be made before 3 brokers joined
        wait_for_brokers(bootstrap, replication.factor)
    create_topics(
        bootstrap,
        provisioned_topics(),
        TOPIC_PARTITIONS,
        configs=topic_configs(),
        replication=replication,
    )
    _say(f"topics ready on {bootstrap}")
    if os.environ.get("KAFKA_SECURITY_PROTOCOL") != PLAINTEXT:
        count, _ = run_sync(apply(bootstrap, from_environment(bootstrap)))
        _say(f"{count} ACLs in place")
    return 0


def cmd_kafka_config() -> int:
    """Write compose's broker configuration (``kafka-init``): certificates, SCRAM users, start."""
    from devstack.compose_kafka import write

    owner = os.environ.get("KAFKA_CONFIG_OWNER")
    write(
        Path(os.environ.get("KAFKA_CONFIG_DIR", "/kafka-config")),
        Path(os.environ.get("KAFKA_CA_DIR", "/kafka-ca")),
        os.environ,
        int(owner) if owner else None,
    )
    _say("broker configuration written")
    return 0


def cmd_demo() -> int:
    """Submit the examples to an already running hub and print decisions until Ctrl-C."""
    from devstack.demo import submit_examples_and_print
    from devstack.infra import security_from_environment

    examples = os.environ.get("HUB_EXAMPLES_DIR")
    asyncio.run(
        submit_examples_and_print(
            os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
            Path(examples) if examples else None,
            portal=security_from_environment("portal"),
            reader=security_from_environment("integrator"),
        )
    )
    return 0


def cmd_seed() -> int:
    """Put the example Surat Kuasa in the document store of ``REDIS_URL`` (compose's ``seed``).

    Sealed with the stack's at-rest keys from the environment, as the
    services read them; examples 01 and 03 refer to it by claim check.
    """
    from devstack.infra import seed_example_documents
    from runtime.settings import InfraSettings

    settings = InfraSettings()
    seed_example_documents(settings.checked_redis_url(), settings.at_rest())
    _say("example Surat Kuasa in the document store")
    return 0


def cmd_compose(brokers: int = 1) -> int:
    """Print ``docker-compose.yml``, or with ``--brokers 3`` ``docker-compose.cluster.yml``."""
    from devstack.compose import render
    from devstack.compose_cluster import render_cluster

    sys.stdout.write(render() if brokers == 1 else render_cluster(brokers))
    return 0


def cmd_jars() -> int:
    """Ensure the Kafka jars are in the user cache; print where."""
    from devstack.kafka import ensure_jars

    print(ensure_jars())
    return 0


def cmd_secrets() -> int:
    """Print a fresh ``.env`` for docker compose: every secret the services refuse to lack."""
    print("# Generated by `./hub secrets`; keep this file out of version control.")
    for name, make in STACK_SECRETS.items():
        print(f"{name}={make()}")
    keys = {signer: new_signing_key(signer) for signer in signers.ALL}
    for signer, key in keys.items():
        print(f"{signing_key_variable(signer)}={key.secret_text()}")
    print(f"HUB_TRUSTED_KEYS={trusted_registry(keys)}")
    print(f"REDIS_PASSWORD={secrets.token_urlsafe(24)}")
    api_key = new_api_key()
    print(f"# The demo portal's API key (send as 'Authorization: Bearer ...'): {api_key}")
    print(f"INTAKE_PORTAL_KEYS='{json.dumps({'demo-portal': key_hash(api_key)})}'")
    for principal in hub_principals():  # one Kafka principal per participant (issue 11)
        print(f"{password_variable(principal)}={secrets.token_urlsafe(32)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command and run it; Ctrl-C during start-up is a clean exit too."""
    parser = argparse.ArgumentParser(
        prog="python -m devstack",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = {
        "infra": cmd_infra,
        "run": cmd_run,
        "jars": cmd_jars,
        "topics": cmd_topics,
        "demo": cmd_demo,
        "seed": cmd_seed,
        "kafka-config": cmd_kafka_config,
        "compose": cmd_compose,
        "secrets": cmd_secrets,
    }
    parser.add_argument("command", choices=list(commands))
    parser.add_argument(
        "--brokers",
        type=int,
        choices=(1, 3),
        default=1,
        help=(
            "infra: 1 broker (default) or a KRaft cluster of 3 (replication 3, min ISR 2); "
            "compose: 3 prints the cluster override docker-compose.cluster.yml"
        ),
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "infra":
            return cmd_infra(args.brokers)
        if args.command == "compose":
            return cmd_compose(args.brokers)
        return commands[args.command]()
    except KeyboardInterrupt:
        _say("interrupted; everything stopped")
        return 130


if __name__ == "__main__":
    sys.exit(main())
