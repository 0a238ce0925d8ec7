"""docs/INTEGRATE.md works: its shell blocks, run in order with real kcat and curl, against a stack.

The stack is the e2e session's, started by devstack as ``./hub run`` starts
it; the page's endpoints come from the same ``endpoints.env`` that ``./hub
run`` writes (:func:`devstack.endpoints.newcomer_files`), the only
substitution being where that file is. A stale command, a wrong header, an
ACL the page's principals lack or a mailbox that cannot be read fails here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from devstack.endpoints import newcomer_files
from devstack.paths import REPO_ROOT
from devstack.stack import Stack

PAGE = REPO_ROOT / "docs" / "INTEGRATE.md"
SOURCE_LINE = "source .devstack/hub-run/endpoints.env"
BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def shell_blocks(markdown: str) -> list[str]:
    """The page's ``sh`` blocks, in order (``console`` blocks are shown, not run)."""
    return BLOCK.findall(markdown)


def test_the_page_has_the_steps_a_newcomer_needs():
    blocks = shell_blocks(PAGE.read_text())
    script = "\n".join(blocks)
    assert SOURCE_LINE in blocks[0]
    assert 'kcat -F "$KCAT_PORTAL" -P -t insw.registration.submitted.v1' in script
    assert '-H "insw-schema=insw.registration.submitted/v1"' in script
    assert 'kcat -F "$KCAT_INTEGRATOR" -C -t insw.registration.decided.v1' in script
    assert 'curl -fsS "$INTAKE_URL"' in script
    assert "$MAILBOX_WEB_URL/latest" in script


def test_the_page_names_every_allowed_trader_type_and_business_type():
    from contracts.registration import BusinessType, TraderType

    text = PAGE.read_text()
    for value in [*TraderType, *BusinessType]:
        assert f"`{value.value}`" in text, value


@pytest.mark.timeout(420)
def test_every_command_of_the_page_works_against_a_running_stack(stack: Stack, tmp_path: Path):
    for tool in ("kcat", "curl"):
        assert shutil.which(tool), f"{tool} is missing: ./hub's bootstrap installs it (apt)"
    _, env_file = newcomer_files(stack, tmp_path / "hub-run")
    blocks = shell_blocks(PAGE.read_text())
    script = "\n".join(blocks).replace(SOURCE_LINE, f'source "{env_file}"')
    assert f'source "{env_file}"' in script
    workdir = tmp_path / "newcomer"
    workdir.mkdir()
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )
    shown = f"stdout:\n{done.stdout[-4000:]}\nstderr:\n{done.stderr[-4000:]}"
    assert done.returncode == 0, shown
    assert '"outcome":"APPROVED"' in (workdir / "decision.txt").read_text(), shown
    assert '"outcome":"APPROVED"' in (workdir / "http-decision.txt").read_text(), shown
    email = (workdir / "email.txt").read_text()
    assert "Subject: Registrasi Anda telah disetujui" in email, shown
    assert "/accounts/password" in email, shown
    assert "connected to" in done.stdout and "the hub named it" in done.stdout, shown
