"""``./hub run`` prints every endpoint it started and writes what kcat and curl need."""

import stat
import subprocess
from pathlib import Path

from devstack.endpoints import endpoints, kcat_config, render_table, write_newcomer_files
from topology.services import listener_keys, services

PORTS = {key: 20_000 + n for n, key in enumerate(listener_keys(services()))}
REDIS = "redis://hub:s3cret-redis@127.0.0.1:6390/0"


def _table() -> str:
    return render_table(endpoints(PORTS, "127.0.0.1:19092", REDIS))


def test_the_table_has_a_row_for_every_listener_and_for_kafka_and_redis():
    lines = _table().splitlines()
    for key, port in PORTS.items():
        assert any(f"127.0.0.1:{port}" in line for line in lines), key
    assert any(line.startswith("kafka") and "127.0.0.1:19092" in line for line in lines)
    assert any(line.startswith("redis") and "127.0.0.1:6390" in line for line in lines)
    assert "s3cret-redis" not in _table()


def test_the_rows_people_ask_for_are_named():
    table = _table()
    for name in ("simulator-oss", "simulator-djp", "simulator-dukcapil", "simulator-ceisa"):
        assert f"\n{name} " in "\n" + table
    for name, page in (
        ("gateway", f"http://127.0.0.1:{PORTS['officers']}/console/"),
        ("intake", f"http://127.0.0.1:{PORTS['intake']}/registrations"),
        ("notifier", f"http://127.0.0.1:{PORTS['notifier']}/"),
        ("customs", f"http://127.0.0.1:{PORTS['customs']}/"),
        ("mailbox", f"smtp://127.0.0.1:{PORTS['mailbox']}"),
        ("mailbox-web", f"http://127.0.0.1:{PORTS['mailbox-web']}/messages"),
    ):
        assert any(line.startswith(name) and page in line for line in table.splitlines()), name


def test_columns_line_up():
    rows = endpoints(PORTS, "127.0.0.1:19092", REDIS)
    lines = render_table(rows).splitlines()
    assert len(lines) == len(rows)
    assert len({line.index(row.address) for row, line in zip(rows, lines, strict=True)}) == 1
    assert len({line.index(row.what) for row, line in zip(rows, lines, strict=True)}) == 1


def test_kcat_config_names_the_protocol_mechanism_principal_and_ca():
    text = kcat_config("127.0.0.1:1", "portal", "pw", "/ca.pem")
    assert text.splitlines() == [
        "bootstrap.servers=127.0.0.1:1",
        "security.protocol=SASL_SSL",
        "sasl.mechanisms=SCRAM-SHA-512",
        "sasl.username=portal",
        "sasl.password=pw",
        "ssl.ca.location=/ca.pem",
    ]
    assert kcat_config("127.0.0.1:1", "portal", None, None) == "bootstrap.servers=127.0.0.1:1\n"


def test_the_env_file_sources_in_a_shell_and_keeps_passwords_in_private_files(tmp_path):
    rows = endpoints(PORTS, "127.0.0.1:19092", REDIS)
    env_file = write_newcomer_files(
        tmp_path / "dir with space",
        rows,
        passwords={"portal": "portal-pw", "integrator": "reader-pw"},
        ca_file="/tmp/ca.pem",
        portal_key_file=tmp_path / "key",
    )
    text = env_file.read_text()
    assert "portal-pw" not in text and "reader-pw" not in text and "s3cret" not in text
    shown = subprocess.run(
        ["bash", "-c", f'source "{env_file}" && echo "$INTAKE_URL|$KCAT_PORTAL|$MAILBOX_WEB_URL"'],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    intake, kcat_portal, mailbox = shown.split("|")
    assert intake == f"http://127.0.0.1:{PORTS['intake']}/registrations"
    assert mailbox == f"http://127.0.0.1:{PORTS['mailbox-web']}/messages"
    assert "sasl.password=portal-pw" in Path(kcat_portal).read_text()
    for path in (env_file, tmp_path / "dir with space" / "portal.kcat.conf"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
