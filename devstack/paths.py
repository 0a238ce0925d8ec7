"""Where devstack keeps run directories, logs and downloaded jars.

Why: every component must agree on these locations, and run state must stay
inside the repository's ignored ``.devstack/`` directory while the large,
reusable Kafka jars live in the user's cache so that fresh checkouts reuse them.
"""

import os
import shutil
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
"""Root of the repository (devstack is installed editable, so this is the checkout)."""

STATE_DIR = REPO_ROOT / ".devstack"
RUN_DIR = STATE_DIR / "run"
LOG_DIR = STATE_DIR / "logs"


def ensure_state_dir() -> Path:
    """Create ``.devstack/`` with a ``.gitignore`` of ``*`` so run state is never committed."""
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    ignore = STATE_DIR / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# devstack run state: logs and throw-away broker data\n*\n")
    return STATE_DIR


def cache_dir() -> Path:
    """User cache for insw-hub, following the XDG convention so CI can cache it."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "insw-hub"


def new_run_dir(name: str) -> Path:
    """A fresh, empty ``.devstack/run/<name>`` owned by this process.

    Why the owner file: a run killed with SIGKILL cannot clean up; the next
    run removes directories whose owner process is gone (see
    :func:`sweep_stale_run_dirs`) without touching a concurrent run's.
    """
    ensure_state_dir()
    sweep_stale_run_dirs()
    path = RUN_DIR / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    (path / "owner.pid").write_text(f"{os.getpid()}\n")
    return path


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale_run_dirs() -> None:
    """Remove run directories left behind by devstack processes that no longer exist."""
    if not RUN_DIR.is_dir():
        return
    for path in RUN_DIR.iterdir():
        try:
            owner = int((path / "owner.pid").read_text().strip())
        except (OSError, ValueError):
            owner = 0
        if owner > 0:
            stale = owner != os.getpid() and not _pid_alive(owner)
        else:  # no owner yet: being created right now, or left by an old crash
            try:
                stale = time.time() - path.stat().st_mtime > 60
            except OSError:
                stale = False
        if stale:
            shutil.rmtree(path, ignore_errors=True)
