"""A real Redis server on a free loopback port, persisting to an append-only file.

Why: integration tests must exercise the real server (its command semantics,
expiry, scripting), not a fake. Debian's ``redis-server`` package is
installed on demand; each node runs in its own throw-away directory, so runs
never share or leak state.

Why persistence: the hub keeps applications, timers and "email sent" marks in
Redis, and the fault-injection suite restarts (and ``kill -9``s) Redis under
load. The server writes an append-only file in its run directory and fsyncs
it before it answers a write (``appendfsync always``, issue 15): a service
commits its Kafka offsets only after Redis has acknowledged the batch's
state, so an acknowledged write must survive Redis's death, and the
machine's. With ``everysec`` a power loss could drop the last second of
acknowledged marks (a "sent" mark: the email again; an application: its
answers dead-lettered). What ``always`` costs: one fsync per event-loop
turn that wrote (Redis gathers every client's writes of that turn into one
write and one fsync), so a write's latency grows by one disk flush
(sub-millisecond on an SSD with a write cache, milliseconds on network
disks), and Redis's write rate is bounded by flushes per second times what
one turn gathers; the hub pipelines each batch, so it pays about one flush
per batch, not per key. No RDB snapshots: they would fork the server
mid-benchmark for nothing.

Why a password: Redis holds the hub's (sealed) personal data and its
idempotency records; anyone on the machine could otherwise read or change
them. The server gets an ACL user ``hub`` with a password generated per
node, and its ``default`` user is switched off, so a client without the
credentials is refused (issue 12).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
from pathlib import Path

import redis

from devstack.net import LOOPBACK, free_port, wait_for_port
from devstack.paths import LOG_DIR, new_run_dir
from devstack.processes import ServiceProcess

START_TIMEOUT_S = 20.0
USER = "hub"
"""The ACL user every hub client connects as; ``default`` is off."""
DEFAULT_USER_ACL = "user default off resetpass ~* &* +@all"
"""No one can log in as ``default``; its permissions are for replaying the AOF (see _write_acl)."""


class RedisStartError(RuntimeError):
    """redis-server is missing and cannot be installed, or did not answer PING."""


def ensure_redis_server() -> str:
    """Path of ``redis-server``, installing the Debian package when it is absent.

    Why apt: the package registry is the one download source on the machines.
    Installing needs root; otherwise the error says what to run.
    """
    found = shutil.which("redis-server")
    if found:
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise RedisStartError(
            "redis-server is not installed; run: sudo apt-get update && "
            "sudo apt-get install -y redis-server"
        )
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for argv in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "redis-server"],
    ):
        result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RedisStartError(f"{' '.join(argv)} failed:\n{result.stdout}{result.stderr}")
    found = shutil.which("redis-server")
    if not found:
        raise RedisStartError("redis-server still not on PATH after apt-get install")
    return found


class RedisNode:
    """One ``redis-server`` bound to 127.0.0.1 on a free port, append-only file in its run dir."""

    def __init__(self, *, fsync: str = "always") -> None:
        self.fsync = fsync
        """``appendfsync``: ``always`` (devstack's, see the module) or ``everysec``/``no``."""
        self.port = 0
        self.run_dir: Path | None = None
        self.process: ServiceProcess | None = None
        self.version = ""
        self.startup_seconds = 0.0
        self.password = secrets.token_urlsafe(24)
        """The ``hub`` user's password, new for every node (kept across restarts)."""

    @property
    def url(self) -> str:
        """``redis://`` URL of the server (database 0), with the ``hub`` user's credentials."""
        return f"redis://{USER}:{self.password}@{LOOPBACK}:{self.port}/0"

    def start(self, timeout: float = START_TIMEOUT_S) -> RedisNode:
        """Start the server and wait until it answers PING; raise with its log otherwise."""
        began = time.monotonic()
        self.port = free_port()
        self.run_dir = new_run_dir(f"redis-{self.port}")
        self._launch(timeout)
        self.startup_seconds = time.monotonic() - began
        return self

    def restart(self, timeout: float = START_TIMEOUT_S, *, kill: bool = False) -> float:
        """SIGTERM the server (it flushes its append-only file) and start it again; seconds down.

        ``kill``: SIGKILL instead, no shutdown code runs (a crash); what it
        acknowledged is in the append-only file all the same (``appendfsync``).
        Same port, same directory: the data written before the restart is there
        again once it answers PING (it answers LOADING meanwhile).
        """
        began = time.monotonic()
        self.pause(kill=kill)
        self.resume(timeout)
        return time.monotonic() - began

    def pause(self, *, kill: bool = False) -> None:
        """Stop the server but keep its port, password and data: an outage, for tests.

        ``kill``: SIGKILL rather than SIGTERM (a crash, see :meth:`restart`).
        """
        if self.process is None or self.run_dir is None:
            raise RedisStartError("pause() needs a started server")
        if kill:
            self.process.kill()
        else:
            self.process.stop()
        self.process = None

    def resume(self, timeout: float = START_TIMEOUT_S) -> None:
        """Start a paused server again on the same port; returns once it answers PING."""
        if self.process is not None or self.run_dir is None:
            raise RedisStartError("resume() needs a paused server")
        self._launch(timeout)

    def _write_acl(self) -> Path:
        """The ACL file: ``hub`` may do everything; nobody can log in as ``default``.

        A file rather than ``--user`` arguments, so the password is not in the
        process list; readable by its owner only.

        Why ``default`` is off but holds every permission: Redis replays the
        append-only file as ``default``, and up to 7.2 it re-checks each
        ``MULTI``/``EXEC`` block against that user's permissions while
        loading (redis/redis#14541, fixed by #14545). A ``default`` without
        permissions silently dropped every transaction on a restart (found by
        issue 15's kill test). ``off`` with no password keeps it unusable: a
        new connection is unauthenticated until it AUTHs as ``hub``.
        """
        assert self.run_dir is not None
        acl = self.run_dir / "users.acl"
        acl.write_text(f"{DEFAULT_USER_ACL}\nuser {USER} on >{self.password} ~* &* +@all\n")
        acl.chmod(0o600)
        return acl

    def _launch(self, timeout: float) -> None:
        assert self.run_dir is not None
        acl = self._write_acl()
        self.process = ServiceProcess(
            f"redis-{self.port}",
            [
                ensure_redis_server(),
                "--port",
                str(self.port),
                "--bind",
                LOOPBACK,
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                self.fsync,
                "--daemonize",
                "no",
                "--protected-mode",
                "yes",
                "--dir",
                str(self.run_dir),
                "--aclfile",
                str(acl),
            ],
            log_path=LOG_DIR / f"redis-{self.port}.log",
            cwd=self.run_dir,
        ).start()
        proc = self.process
        if not wait_for_port(self.port, timeout=timeout, alive=proc.alive):
            error = proc.died_error("did not open its port")
            self.stop()
            raise RedisStartError(str(error))
        client = redis.Redis.from_url(self.url, socket_timeout=2)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    if client.ping():
                        break
                except redis.exceptions.BusyLoadingError:
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise RedisStartError(f"redis-server on port {self.port} never answered PING")
                time.sleep(0.05)
            self.version = str(client.info("server")["redis_version"])
        finally:
            client.close()

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM the server's process group (SIGKILL after ``timeout``) and clean up."""
        if self.process is not None:
            self.process.stop(timeout)
            self.process = None
        if self.run_dir is not None:
            shutil.rmtree(self.run_dir, ignore_errors=True)
            self.run_dir = None

    def __enter__(self) -> RedisNode:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
