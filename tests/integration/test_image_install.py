"""What the compose image installs starts: every command of docker-compose.yml, from a fresh venv.

Docker is not needed to find the classic image bugs: a module missing from
the wheel, a dependency only the dev extra brings (the mailbox's aiosmtpd),
a data file read beside the source that an install does not ship. This test
does what the Dockerfile does, the hashed lock and then ``pip install
--no-deps ".[<extra>]"`` of the checkout, into a new python3.11 venv (not
an editable install), then runs every command compose
runs from that venv only (``python -P``, outside the checkout): the services
as a whole stack against the session's real Kafka and Redis (each must
answer on its port or stay up), and the one-shot commands (``kafka-config``,
``topics``, ``seed``, ``demo``, ``hubctl``). The demo must see examples 01
and 03 approved, which needs the seeded Surat Kuasa.

Slow (one venv build, about a minute with a warm pip cache): marked ``slow``;
``./hub test`` runs it.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
import redis

from contracts import channels
from devstack.infra import Infrastructure, password_variable
from devstack.paths import REPO_ROOT
from devstack.processes import ServiceSpec
from devstack.stack import Stack, service_specs
from runtime.documents import document_key
from simulators.registrations import EXAMPLE_DOCUMENT_ID
from tests.kafka_io import collect
from topology.services import services

pytestmark = pytest.mark.slow

INSTALL = re.compile(r'pip install --no-cache-dir --no-deps "(\.\[[\w-]+\])"')
DEMO_TIMEOUT_S = 120.0


def _image_install_target() -> str:
    """What the Dockerfile installs (``.[stand-ins]``): the test installs exactly that."""
    found = INSTALL.search((REPO_ROOT / "Dockerfile").read_text())
    assert found is not None, "the Dockerfile must install the checkout with pip"
    return found.group(1)


def _copy_checkout(target: Path) -> None:
    """The files a build context has: tracked and new ones, without what git ignores."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO_ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(venv python, build context): the checkout installed as the image installs it."""
    python311 = shutil.which("python3.11")
    assert python311 is not None, "python3.11 is what the image runs"
    root = tmp_path_factory.mktemp("image")
    context, venv = root / "app", root / "venv"
    _copy_checkout(context)
    subprocess.run([python311, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    # As the Dockerfile: every package from the hashed lock, then the hub alone.
    for args in (
        ["--require-hashes", "-r", "requirements-image.lock"],
        ["--no-deps", _image_install_target()],
    ):
        install = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *args],
            cwd=context,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    yield python, context


def _clean_env(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without Python paths, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    return {**env, **extra}


def _run(python: Path, args: list[str], env: Mapping[str, str], cwd: Path) -> str:
    done = subprocess.run(
        [str(python), "-P", *args],
        env=_clean_env(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
    return done.stdout + done.stderr


def test_the_install_has_no_dev_extra_and_runs_from_site_packages(image):
    python, context = image
    where = _run(
        python,
        ["-c", "import gateway, devstack.mailbox, aiosmtpd; print(gateway.__file__)"],
        {},
        context.parent,
    )
    assert "site-packages" in where and str(REPO_ROOT) not in where
    missing = subprocess.run(
        [str(python), "-P", "-c", "import pytest"], capture_output=True, check=False
    )
    assert missing.returncode != 0, "the image must not carry the dev extra"


def test_every_command_compose_runs_starts_from_the_install(
    image, infrastructure: Infrastructure, tmp_path: Path
):
    python, context = image
    workdir = tmp_path / "work"  # not the checkout: imports come from the venv only
    workdir.mkdir()

    # kafka-init: the broker's configuration and the CA for clients
    passwords = {password_variable(p): pw for p, pw in infrastructure.kafka_passwords.items()}
    config = {"KAFKA_CONFIG_DIR": str(tmp_path / "cfg"), "KAFKA_CA_DIR": str(tmp_path / "ca")}
    _run(python, ["-m", "devstack", "kafka-config"], {**passwords, **config}, workdir)
    assert (tmp_path / "cfg" / "kafka" / "start.sh").is_file()  # one directory per broker
    assert (tmp_path / "ca" / "ca.pem").is_file()

    # topics: topics and ACLs, as the superuser (idempotent on the session's broker)
    admin = {**infrastructure.env(), **infrastructure.admin_env()}
    _run(python, ["-m", "devstack", "topics"], admin, workdir)

    # seed: the example Surat Kuasa, sealed with the stack's keys
    store = redis.Redis.from_url(infrastructure.redis_url)
    try:
        store.delete(document_key(EXAMPLE_DOCUMENT_ID))
        _run(python, ["-m", "devstack", "seed"], infrastructure.env(), workdir)
        assert store.hget(document_key(EXAMPLE_DOCUMENT_ID), "sha256")
    finally:
        store.close()

    # hubctl, which compose runs as `docker compose run --rm hubctl ...`
    assert "dlq" in _run(python, ["-m", "hubctl", "--help"], {}, workdir)

    # every service, as compose starts them, but from the venv
    def from_the_image(bootstrap: str, redis_url: str, ports: Mapping[str, int]):
        specs = []
        for spec in service_specs(bootstrap, redis_url, ports):
            module_and_args = spec.argv[1:]  # ("-m", module, ...)
            specs.append(
                ServiceSpec(
                    name=f"image-{spec.name}",
                    argv=(str(python), "-P", *module_and_args),
                    env={**spec.env, "HUB_INSTANCE_ID": "image", "PYTHONPATH": ""},
                    ready_port=spec.ready_port,
                    principal=spec.principal,
                )
            )
        return specs

    logs = tmp_path / "logs"
    with Stack(infrastructure, specs=from_the_image, log_dir=logs) as stack:
        assert {p.name for p in stack.group.processes} >= {"image-gateway", "image-customs"}
        _every_health_check_answers(stack)
        demo = {
            **infrastructure.env(),
            **infrastructure.principal_env(None),
            "HUB_EXAMPLES_DIR": str(context / "examples" / "registrations"),
            **{
                password_variable(p): infrastructure.kafka_passwords[p]
                for p in ("portal", "integrator")
                if p in infrastructure.kafka_passwords
            },
        }
        answered_before = _customs_answers(infrastructure)
        decided = _demo_until_decided(python, demo, workdir, stack)
        _wait_for_customs(stack, logs, infrastructure, answered_before)
    failed = {log.name: log.read_text()[-3000:] for log in logs.glob("*.log")}
    failed = {name: text for name, text in failed.items() if "Traceback" in text}
    assert not failed, failed  # e.g. a schema the install does not carry
    # 01 and 03 refer to the seeded Surat Kuasa: without it, R11 would reject both.
    assert decided["01-company-approved.json"] == ("APPROVED", "-")
    # 03 (a foundation without NIB or NPWP) goes to an officer by design (README).
    assert decided["03-foundation-without-nib-npwp.json"] == (
        "REFERRED",
        "ORGANISATION_NOT_PROVEN(organisation.nib)",
    )
    assert decided["04-malformed-npwp.json"] == ("REJECTED", "NPWP_FORMAT(organisation.npwp)")


def _every_health_check_answers(stack: Stack) -> None:
    """What compose's health checks ask, on every listener that declares one: 200."""
    probed = []
    for service in services():
        for listener in service.listeners():
            if listener.health is None:
                continue
            url = f"http://127.0.0.1:{stack.ports[listener.key]}{listener.health}"
            with urllib.request.urlopen(url, timeout=5) as answer:
                assert answer.status == 200, url
            probed.append(service.name)
    assert {"gateway", "intake", "issuer", "mailbox", "customs", "notifier"} <= set(probed)


def _customs_answers(infrastructure: Infrastructure) -> int:
    """How many answers CEISA has published on this broker so far."""
    topic = channels.CEISA_RESPONSE.topic
    found = asyncio.run(collect(infrastructure.bootstrap_servers, [topic], lambda _: False, 3))
    return len(found)


def _wait_for_customs(
    stack: Stack, logs: Path, infrastructure: Infrastructure, answered_before: int
) -> None:
    """The approved example reached CEISA, which answered: XML validated by the install's XSDs.

    When the suite's e2e stack runs on the same broker, its CEISA simulator is
    a member of the same consumer group and may take the example's partition:
    a new answer on ``ceisa.response.v1`` counts as well as this simulator's own.
    """
    url = f"http://127.0.0.1:{stack.ports['ceisa']}/admin/sent"
    deadline = time.monotonic() + 150  # a consumer group's first join is slow on a loaded box
    while True:
        with urllib.request.urlopen(url, timeout=5) as answer:
            sent = json.loads(answer.read())["sent"]
        if sent > 0 or _customs_answers(infrastructure) > answered_before:
            return
        if time.monotonic() > deadline:
            tails = {p.name: p.read_text()[-1500:] for p in logs.glob("*ceisa*.log")}
            raise AssertionError(f"CEISA never answered the approved example: {tails}")
        time.sleep(1)


def _demo_until_decided(
    python: Path, env: Mapping[str, str], cwd: Path, stack: Stack
) -> dict[str, tuple[str, str]]:
    """Run ``devstack demo`` until every example is decided; example file -> (outcome, reasons)."""
    log = cwd / "demo.log"
    with log.open("w") as out:
        demo = subprocess.Popen(
            [str(python), "-P", "-m", "devstack", "demo"],
            env=_clean_env(env),
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            deadline = time.monotonic() + DEMO_TIMEOUT_S
            while "examples decided" not in log.read_text():
                stack.check_alive()
                assert demo.poll() is None, log.read_text()[-3000:]
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.5)
        finally:
            demo.terminate()
            demo.wait(timeout=10)
    outcomes = {}
    for line in log.read_text().splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[0].endswith(".json"):
            outcomes[parts[0]] = (parts[2], " ".join(parts[3:]))
    assert len(outcomes) == 5, json.dumps(outcomes)
    return outcomes
