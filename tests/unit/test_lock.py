"""requirements.lock pins every dependency pyproject.toml pins, at the same version."""

import tomllib
from pathlib import Path

from devstack import lock

ROOT = Path(__file__).resolve().parents[2]

PYPROJECT = """
[project]
name = "x"
dependencies = ["faststream[kafka]==0.7.8", "PyJWT==2.15.1"]
[project.optional-dependencies]
dev = ["pytest==9.2.0"]
"""
LOCK = """\
faststream==0.7.8 \\
    --hash=sha256:00
pyjwt==2.15.1 \\
    --hash=sha256:11
pytest==9.2.0 ; python_full_version >= '3.11' \\
    --hash=sha256:22
"""


def test_the_committed_lock_covers_every_pin_of_pyproject():
    pyproject = (ROOT / "pyproject.toml").read_text()
    committed = (ROOT / "requirements.lock").read_text()
    assert lock.declared(pyproject), "no pins read: the parser is broken"
    assert lock.uncovered(pyproject, committed) == [], "run: ./hub lock"


def test_every_lock_entry_carries_a_hash():
    text = (ROOT / "requirements.lock").read_text()
    entries = [line for line in text.splitlines() if lock._PIN.match(line)]
    assert entries and all(line.rstrip().endswith("\\") for line in entries)
    assert text.count("--hash=sha256:") >= len(entries)


def test_a_lock_with_every_pin_passes_names_normalised_and_extras_ignored():
    assert lock.uncovered(PYPROJECT, LOCK) == []


def test_a_pin_missing_from_the_lock_is_named():
    assert lock.uncovered(PYPROJECT, LOCK.replace("pytest==9.2.0", "pluggy==1.0")) == [
        "pytest==9.2.0"
    ]


def test_a_pin_locked_at_another_version_is_named():
    assert lock.uncovered(PYPROJECT, LOCK.replace("pyjwt==2.15.1", "pyjwt==2.10.0")) == [
        "pyjwt==2.15.1"
    ]


def test_main_exits_1_when_the_lock_is_stale(tmp_path, capsys):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "requirements.lock").write_text(LOCK.replace("faststream==0.7.8", "x==1"))
    assert lock.main(tmp_path) == 1
    assert "faststream==0.7.8" in capsys.readouterr().err
    (tmp_path / "requirements.lock").write_text(LOCK)
    assert lock.main(tmp_path) == 0


def test_the_image_lock_is_the_runtime_part_of_the_lock_at_the_same_versions():
    """The compose image installs requirements-image.lock: no dev tool, nothing unlocked."""
    full = lock.locked((ROOT / "requirements.lock").read_text())
    image_text = (ROOT / "requirements-image.lock").read_text()
    image = lock.locked(image_text)
    pyproject = (ROOT / "pyproject.toml").read_text()
    runtime = lock.pins(tomllib.loads(pyproject)["project"]["dependencies"])
    assert set(runtime) <= set(image), "run: ./hub lock"
    moved = {name: v for name, v in image.items() if v - full.get(name, set())}
    assert moved == {}, "the image lock must keep requirements.lock's versions: ./hub lock"
    for dev_tool in ("pytest", "mypy", "ruff", "uv", "selenium", "hypothesis"):
        assert dev_tool not in image, f"{dev_tool} would ship in the image"
    assert image_text.count("--hash=sha256:") >= len(image)
