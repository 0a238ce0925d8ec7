"""A small process supervisor that never leaves a stray process behind.

Why: the devstack starts a Kafka JVM, a Redis server and several Python
services. If a test run or ``./hub run`` is interrupted, killed or crashes,
those children must still go away, or the next run finds ports taken and the
machine fills with orphaned JVMs. Every child therefore

* runs in its own process group (``start_new_session=True``) so that stopping
  it also stops whatever it spawned;
* is recorded in a module-wide registry that is emptied in reverse start order
  at interpreter exit (``atexit``) and on SIGINT/SIGTERM;
* on Linux, gets SIGKILL from the kernel if the starting process dies without
  running any Python cleanup at all (``PR_SET_PDEATHSIG``), e.g. after SIGKILL.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from devstack.paths import LOG_DIR, ensure_state_dir

STOP_TIMEOUT_S = 20.0
"""How long a child may take to shut down after SIGTERM before it gets SIGKILL."""

_PR_SET_PDEATHSIG = 1


class ServiceDiedError(RuntimeError):
    """A supervised process exited when it should be running; carries its log tail."""


@dataclass(frozen=True)
class ServiceSpec:
    """What to run: a name (also the log file name), the argv, extra env, readiness port.

    ``ready_port`` is a TCP port the service listens on once it is ready; None
    means the service has no port (e.g. a pure Kafka consumer). ``principal``
    is the Kafka principal it connects as (a stack adds that principal's
    password when it starts it); extra instances keep their service's.
    """

    name: str
    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    ready_port: int | None = None
    principal: str | None = None


def _pdeathsig_hook() -> Callable[[], None] | None:
    """Build a pre-exec hook asking the kernel to SIGKILL the child when we die.

    Why: atexit and signal handlers do not run when this process is SIGKILLed
    (CI timeouts, OOM killer). The hook is only used from the main thread,
    because the kernel ties PDEATHSIG to the *thread* that forked: a child
    started from a worker thread would die when that thread ends.
    """
    if not sys.platform.startswith("linux"):
        return None
    if threading.current_thread() is not threading.main_thread():
        return None
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return None
    prctl = ctypes.CDLL(libc_name, use_errno=True).prctl  # resolved before fork
    parent = os.getpid()

    def hook() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # parent already gone between fork and prctl
            os._exit(1)

    return hook


class ServiceProcess:
    """One supervised child process with its own process group and log file."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        env: Mapping[str, str] | None = None,
        *,
        log_path: Path | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.argv = tuple(argv)
        self.env = dict(os.environ if env is None else env)
        self.log_path = log_path or LOG_DIR / f"{name}.log"
        self.cwd = cwd
        self._popen: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """Process id of the running child (also its process-group id), if started."""
        return None if self._popen is None else self._popen.pid

    def start(self) -> ServiceProcess:
        """Start the child in a new session, output appended to the log file."""
        if self._popen is not None:
            raise RuntimeError(f"{self.name} already started")
        ensure_state_dir()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            log.write(f"\n=== devstack start {time.strftime('%F %T')}: {self.name}\n".encode())
            log.flush()
            self._popen = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_pdeathsig_hook(),  # noqa: PLW1509 - only a prctl call, see hook
            )
        _register(self)
        return self

    def alive(self) -> bool:
        """Tell whether the child is still running."""
        return self._popen is not None and self._popen.poll() is None

    def returncode(self) -> int | None:
        """Exit status once the child has exited, else None."""
        return None if self._popen is None else self._popen.poll()

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """SIGTERM the whole process group, wait up to ``timeout``, then SIGKILL it.

        Idempotent. The final SIGKILL to the group also reaches grandchildren
        that outlived the group leader.
        """
        global _STOPPING  # noqa: PLW0603 - tells the signal handler a stop is under way
        popen = self._popen
        if popen is None:
            return
        _STOPPING += 1
        try:
            if popen.poll() is None:
                _signal_group(popen.pid, signal.SIGTERM)
                try:
                    popen.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    _signal_group(popen.pid, signal.SIGKILL)
                    popen.wait(timeout=10)
            _signal_group(popen.pid, signal.SIGKILL)
        finally:
            _STOPPING -= 1
        # Only forgotten once really gone: an interrupted stop is retried at exit.
        _unregister(self)

    def send_signal(self, sig: signal.Signals) -> None:
        """Send ``sig`` to the child's whole process group without waiting (no-op once exited).

        Why not :meth:`stop`: fault injection needs SIGKILL with no grace, and a
        graceful-drain check SIGTERMs many services at once and then waits for each.
        """
        if self._popen is not None and self._popen.poll() is None:
            _signal_group(self._popen.pid, sig)

    def kill(self) -> None:
        """SIGKILL the process group at once (a crash, as far as the child can tell), reap it."""
        self.send_signal(signal.SIGKILL)
        self.stop(timeout=10)

    def tail(self, lines: int = 40) -> str:
        """Last ``lines`` lines of the log, for error messages that explain a failure."""
        try:
            with self.log_path.open("rb") as log:
                log.seek(0, os.SEEK_END)
                log.seek(max(0, log.tell() - 16384))
                text = log.read().decode("utf-8", "replace")
        except OSError:
            return f"(no log at {self.log_path})"
        return "\n".join(text.splitlines()[-lines:])

    def died_error(self, what: str) -> ServiceDiedError:
        """Build the error for a child that exited or never became ready."""
        return ServiceDiedError(
            f"{self.name} {what} (exit status {self.returncode()}); "
            f"log {self.log_path}, last lines:\n{self.tail()}"
        )


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


class ProcessGroup:
    """An ordered set of services started together and stopped in reverse order."""

    def __init__(self, log_dir: Path = LOG_DIR) -> None:
        self.processes: list[ServiceProcess] = []
        self.log_dir = log_dir
        """Where each process logs, as ``<name>.log``; a harness may give one per run."""

    def start(
        self, spec: ServiceSpec, *, base_env: Mapping[str, str] | None = None
    ) -> ServiceProcess:
        """Start ``spec`` with ``base_env`` (default: this process's env) plus its env."""
        env = dict(os.environ if base_env is None else base_env)
        env.update(spec.env)
        proc = ServiceProcess(spec.name, spec.argv, env, log_path=self.log_dir / f"{spec.name}.log")
        self.processes.append(proc)
        return proc.start()

    def discard(self, proc: ServiceProcess) -> None:
        """Forget a process that was stopped on purpose, so :meth:`dead` no longer reports it."""
        proc.stop()
        with contextlib.suppress(ValueError):
            self.processes.remove(proc)

    def dead(self) -> list[ServiceProcess]:
        """Processes of this group that have exited."""
        return [p for p in self.processes if not p.alive()]

    def stop_all(self) -> None:
        """Stop every process, newest first, so consumers go before what they use."""
        while self.processes:
            self.processes.pop().stop()


# --- the module-wide registry behind atexit and the signal handlers -------------

_LIVE: list[ServiceProcess] = []
_LOCK = threading.RLock()  # re-entrant: a signal handler may run while it is held
_HANDLERS_INSTALLED = False
_STOPPING = 0


def _register(proc: ServiceProcess) -> None:
    global _HANDLERS_INSTALLED  # noqa: PLW0603 - one-time process-wide installation
    with _LOCK:
        _LIVE.append(proc)
        if not _HANDLERS_INSTALLED:
            _HANDLERS_INSTALLED = True
            atexit.register(stop_everything)
            _install_signal_handlers()


def _unregister(proc: ServiceProcess) -> None:
    with _LOCK, contextlib.suppress(ValueError):
        _LIVE.remove(proc)


def stop_everything() -> None:
    """Stop every process devstack started in this interpreter, newest first."""
    while True:
        with _LOCK:
            if not _LIVE:
                return
            proc = _LIVE[-1]
        proc.stop()


def _install_signal_handlers() -> None:
    """On SIGINT/SIGTERM stop all children, then behave as the previous handler would."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous = signal.getsignal(sig)
        if previous == signal.SIG_IGN:  # e.g. nohup or a background job: keep ignoring
            continue

        def handler(signum: int, frame: FrameType | None, previous: Any = previous) -> None:
            if not _STOPPING:  # a stop under way finishes (or atexit retries it)
                stop_everything()
            if callable(previous):
                previous(signum, frame)
            elif signum == signal.SIGINT:
                raise KeyboardInterrupt
            else:
                raise SystemExit(128 + signum)

        signal.signal(sig, handler)
