"""A closed service ends: at once when clean, within its grace when something hangs."""

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import asyncio
    import runtime.service as service
    import runtime.transactions as transactions

    service.EXIT_GRACE_SECONDS = {grace!r}

    async def stubborn():
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                pass  # a task that will not stop: asyncio.run would wait forever

    class App:
        async def run(self):
            if {fenced!r}:  # what TransactionalOutbox._fenced leaves behind
                transactions._fenced_ids.add("gateway-0-insw.registration.submitted.v1")
            if {hang!r}:
                asyncio.get_running_loop().create_task(stubborn())
                await asyncio.sleep(0)  # let it start

    service.run(App())
    """
)


def run_service(
    hang: bool, *, grace: float = 1.0, fenced: bool = False
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT.format(hang=hang, grace=grace, fenced=fenced)],
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_a_clean_close_exits_zero_without_a_stack_dump():
    # A grace long enough for interpreter teardown on a loaded machine: 1 s
    # was seen to fire during a clean exit at load average 30.
    done = run_service(hang=False, grace=20.0)
    assert done.returncode == 0, done.stderr
    assert "Thread" not in done.stderr


def test_a_fenced_instance_exits_non_zero_so_it_is_restarted():
    done = run_service(hang=False, grace=20.0, fenced=True)
    assert done.returncode == 75, done.stderr


def test_a_hang_after_close_dumps_every_stack_and_exits_one():
    done = run_service(hang=True)
    assert done.returncode == 1
    assert "Timeout (0:00:01)!" in done.stderr and "Thread" in done.stderr
    assert "leftover task(s): stubborn" in done.stderr
    assert "ignores cancellation; its stack follows" in done.stderr
    assert "in stubborn" in done.stderr
