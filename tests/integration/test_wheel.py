"""The hub as a wheel: schemas and console assets are package data; commands are installed.

Builds the wheel with ``pip wheel . --no-deps``, installs it (without
dependencies) into a fresh venv outside the checkout, and runs Python there
from a directory that is not the checkout, with this venv's third-party
packages on ``PYTHONPATH`` (``.pth`` files, hence the editable install, are
not read from there). So every import of the hub below comes from the wheel.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

LEFT_OUT = (".git", ".venv", ".devstack", "build", "*.egg-info", "__pycache__", "*_cache", "tests")

PROBE = """
import contracts.xsd as xsd
import gateway.console.app as console
from contracts.xml_messages import REJECTION
print(xsd.__file__)
print(xsd.SCHEMA_ROOT)
print(console.STATIC)
print(type(xsd.load_schema(xsd.CEISA_REGISTRATION_V1)).__name__)
print(type(xsd.load_schema(REJECTION.schema(2))).__name__)
print(sorted(p.name for p in console.STATIC.iterdir()))
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    out: Path = tmp_path_factory.mktemp("wheel")
    source = out / "source"  # setuptools writes build/ beside the sources: not in the checkout
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*LEFT_OUT))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-q", "-w", str(out)],
        cwd=source,
        check=True,
        timeout=240,
    )
    [wheel] = out.glob("insw_hub-*.whl")
    env_dir = out / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
        cwd=out,
        check=True,
        timeout=240,
    )
    return env_dir


def _run(env_dir: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"]}
    return subprocess.run(
        list(argv),
        check=False,
        cwd=env_dir.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_schemas_and_console_assets_load_from_the_installed_wheel(installed):
    done = _run(installed, str(installed / "bin" / "python"), "-c", PROBE)
    assert done.returncode == 0, done.stderr
    module, root, static, schema_v1, schema_v2, assets = done.stdout.splitlines()
    for path in (module, root, static):
        assert path.startswith(str(installed)), path  # the wheel's copy, not the checkout
    assert ROOT.as_posix() not in module
    assert schema_v1 == schema_v2 == "XMLSchema"
    assert "console.css" in assets


def test_the_wheel_installs_a_command_per_service_and_hubctl(installed):
    commands = {p.name for p in (installed / "bin").iterdir()}
    assert {
        "hubctl",
        "insw-gateway",
        "insw-intake",
        "insw-notifier",
        "insw-customs",
        "insw-adapter-oss-nib",
        "insw-adapter-djp-npwp",
        "insw-adapter-dukcapil",
        "insw-adapter-ceisa",
    } <= commands
    done = _run(installed, str(installed / "bin" / "hubctl"), "--help")
    assert done.returncode == 0, done.stderr
    assert "dlq" in done.stdout
