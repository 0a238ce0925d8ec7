"""Python 3.12 and 3.13 run the hub too: the hashed lock installs and the unit suite passes.

``./hub`` runs on 3.11; ``requires-python`` promises 3.11 to 3.13. A promise
nobody checks breaks quietly (on 3.12 ``holidays`` began naming holidays by
the interpreter's locale and two working-day tests failed), so each other
supported interpreter gets a fresh venv from ``requirements.lock`` (by hash,
wheels only: a pin without a wheel for that Python fails here) and runs
``tests/unit`` against this checkout.

Where the interpreters come from: ``pythonX.Y`` on PATH, else pyenv's
versions (the machines this project runs on carry 3.12 and 3.13 there). A
missing interpreter fails the test with what to install: the claim is not
tested, so it must not pass.
"""

import glob
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def interpreter(version: str) -> str:
    """The path of a working ``python<version>``: pyenv's versions first, then PATH.

    A candidate must run and report that version: pyenv's shim for a version
    the shell has not selected is on PATH but exits 127.
    """
    roots = [os.environ.get("PYENV_ROOT", ""), str(Path.home() / ".pyenv"), "/root/.pyenv"]
    candidates = [
        match
        for root in filter(None, roots)
        for match in sorted(glob.glob(f"{root}/versions/{version}.*/bin/python{version}"))
    ]
    on_path = shutil.which(f"python{version}")
    if on_path:
        candidates.append(on_path)
    for candidate in candidates:
        probe = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    pytest.fail(f"no working python{version} on PATH or in pyenv: install it to test support")


@pytest.mark.parametrize("version", ["3.12", "3.13"])
def test_the_lock_installs_and_the_unit_suite_passes(version: str, tmp_path: Path) -> None:
    python = interpreter(version)
    venv = tmp_path / "venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True, timeout=300)
    venv_python = str(venv / "bin" / "python")
    install = subprocess.run(
        [venv_python, "-m", "pip", "install", "-q", "--only-binary", ":all:",
         "--require-hashes", "-r", str(REPO_ROOT / "requirements.lock")],
        capture_output=True, text=True, timeout=1200, check=False,
    )  # fmt: skip
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    # A clean environment, as ./hub gives the 3.11 run: this process carries the
    # integration fixtures' settings (HUB_TRUSTED_KEYS, KAFKA_*, ...), which
    # unit tests of the settings rightly expect to be unset.
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    suite = subprocess.run(
        [venv_python, "-m", "pytest", "tests/unit", "-q", "-x", "-p", "no:cacheprovider"],
        cwd=REPO_ROOT,
        env={**env, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    tail = suite.stdout[-3000:] + suite.stderr[-2000:]
    assert suite.returncode == 0, tail
    assert " passed" in suite.stdout and " failed" not in suite.stdout, tail
