"""The fault launcher arms the product's checkpoint, then runs the service unchanged."""

import sys
from pathlib import Path

import pytest

from faults import armed
from faults.points import FaultPoint
from runtime import checkpoints


def test_the_launcher_installs_the_armed_point_and_runs_the_module(tmp_path, monkeypatch):
    (tmp_path / "probe_service.py").write_text(
        "import sys\n"
        "from runtime import checkpoints\n"
        "sys.modules['runtime.checkpoints'].seen = (checkpoints.installed(), list(sys.argv))\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("INSW_FAULT_POINT", "before-commit@t")
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    try:
        armed.main(["probe_service", "--flag"])
        point, argv = checkpoints.seen  # type: ignore[attr-defined]
    finally:
        checkpoints.install(None)
        del checkpoints.seen  # type: ignore[attr-defined]
    assert isinstance(point, FaultPoint)
    assert (point.point, point.topic) == ("before-commit", "t")
    assert argv[1:] == ["--flag"]
    assert Path(argv[0]).name == "probe_service.py"


def test_without_a_fault_point_nothing_is_installed():
    assert checkpoints.installed() is None


def test_the_launcher_needs_a_module():
    with pytest.raises(SystemExit):
        armed.main([])
