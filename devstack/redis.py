"""A real Redis server on a free loopback port, persisting to an append-only file.

Why: integration tests must exercise the real server (its command semantics,
expiry, scripting), not a fake. Debian's ``redis-server`` package is
installed on demand; each node runs in its own throw-away directory, so runs
never share or leak state.

Why persistence: the hub keeps applications, timers and "email sent" marks in
Redis, and the fault-injection suite restarts Redis under load. The server
writes an append-only file in its run directory, fsynced every second
(``appendfsync everysec``): a SIGTERM flushes it, so a restart loses nothing;
a SIGKILL (or power loss) can lose up to the last second of writes. No RDB
snapshots: they would fork the server mid-benchmark for nothing.

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

    def __init__(self) -> None:
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

    def restart(self, timeout: float = START_TIMEOUT_S) -> float:
        """SIGTERM the server (it flushes its append-only file) and start it again; seconds down.

        Same port, same directory: the data written before the restart is there
        again once it answers PING (it answers LOADING meanwhile).
        """
        began = time.monotonic()
        self.pause()
        self.resume(timeout)
        return time.monotonic() - began

    def pause(self) -> None:
        """SIGTERM the server but keep its port, password and data: an outage, for tests."""
        if self.process is None or self.run_dir is None:
            raise RedisStartError("pause() needs a started server")
        self.process.stop()
        self.process = None

    def resume(self, timeout: float = START_TIMEOUT_S) -> None:
        """Start a paused server again on the same port; returns once it answers PING."""
        if self.process is not None or self.run_dir is None:
            raise RedisStartError("resume() needs a paused server")
        self._launch(timeout)

    def _write_acl(self) -> Path:
        """The ACL file: ``hub`` may do everything, ``default`` (no password) nothing.

        A file rather than ``--user`` arguments, so the password is not in the
        process list; readable by its owner only.
        """
        assert self.run_dir is not None
        acl = self.run_dir / "users.acl"
        acl.write_text(f"user default off\nuser {USER} on >{self.password} ~* &* +@all\n")
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
                "everysec",
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
