"""The agency simulators over real HTTP on 127.0.0.1 (no Kafka or Redis needed)."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sys
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio

from simulators.dataset import DEFAULT_SEED, WORLD


@pytest.fixture(autouse=True)
def _infrastructure_env() -> None:
    """Override tests/conftest.py's autouse fixture: these tests need no Kafka/Redis."""


@pytest_asyncio.fixture(loop_scope="session")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def get(http: aiohttp.ClientSession, url: str) -> tuple[int, bytes]:
    async with http.get(url) as resp:
        return resp.status, await resp.read()


async def verify(
    http: aiohttp.ClientSession, base: str, payload: dict[str, str]
) -> tuple[int, bytes]:
    async with http.post(base + "/dukcapil/v1/verify", data=json.dumps(payload)) as resp:
        return resp.status, await resp.read()


@pytest.mark.parametrize("service", ["oss", "djp", "dukcapil"])
async def test_health(urls, http, service):
    status, body = await get(http, urls[service] + "/health")
    assert status == 200
    assert json.loads(body) == {"status": "ok", "service": service, "seed": DEFAULT_SEED}


async def test_oss_found_returns_the_nib_record(urls, http):
    company = WORLD.fixture("approved_company").company
    status, body = await get(http, f"{urls['oss']}/oss/pia/v1/nib/{company.nib}")
    assert status == 200
    reply = json.loads(body)["responInquiryNIB"]
    assert reply["kode"] == 200 and reply["keterangan"] == "Data ditemukan"
    data = reply["dataNIB"]
    assert data["nib"] == company.nib
    assert data["nama_perusahaan"] == company.company_name
    assert data["npwp_perusahaan"] == company.npwp
    assert data["jenis_pelaku_usaha"] == "01" and data["status_nib"] == "01"
    assert [k["kode_kbli"] for k in data["kbli"]] == [k.code for k in company.kbli]
    assert data["penanggung_jwb"] == [
        {
            "jenis_identitas": p.identity_type,
            "no_identitas": p.identity_number,
            "nama": p.name,
            "jabatan": p.position,
        }
        for p in company.responsible
    ]


@pytest.mark.parametrize(("fixture", "code"), [("frozen_nib", "05"), ("revoked_nib", "06")])
async def test_oss_reports_frozen_and_revoked_status(urls, http, fixture, code):
    nib = WORLD.fixture(fixture).company.nib
    status, body = await get(http, f"{urls['oss']}/oss/pia/v1/nib/{nib}")
    assert status == 200
    assert json.loads(body)["responInquiryNIB"]["dataNIB"]["status_nib"] == code


async def test_oss_not_found_and_malformed(urls, http):
    unknown = "1" * 13
    assert WORLD.company_by_nib(unknown) is None
    status, body = await get(http, f"{urls['oss']}/oss/pia/v1/nib/{unknown}")
    assert status == 404
    assert json.loads(body) == {
        "responInquiryNIB": {"kode": 404, "keterangan": "Data NIB tidak ditemukan"}
    }
    for bad in ("123456789012", "12345678901234", "12345678901a3", "%D9%A1" * 13):
        status, body = await get(http, f"{urls['oss']}/oss/pia/v1/nib/{bad}")
        assert status == 400, bad
        assert json.loads(body)["responInquiryNIB"]["kode"] == 400


async def test_djp_finds_companies_by_15_and_16_digits(urls, http):
    f = WORLD.fixture("approved_company")
    for npwp in (f.company.npwp, "0" + f.company.npwp):
        status, body = await get(http, f"{urls['djp']}/djp/v1/npwp/{npwp}")
        assert status == 200
        assert json.loads(body) == {
            "status": "VALID",
            "npwp15": f.company.npwp,
            "npwp16": "0" + f.company.npwp,
            "nama_wajib_pajak": f.company.company_name.upper(),
            "jenis_wajib_pajak": "BADAN",
        }


async def test_djp_statuses_mismatch_and_individuals(urls, http):
    inactive = WORLD.fixture("npwp_not_active").company.npwp
    status, body = await get(http, f"{urls['djp']}/djp/v1/npwp/{inactive}")
    assert status == 200 and json.loads(body)["status"] == "NOT_ACTIVE"
    mismatch = WORLD.fixture("npwp_name_mismatch")
    status, body = await get(http, f"{urls['djp']}/djp/v1/npwp/{mismatch.company.npwp}")
    djp_name = json.loads(body)["nama_wajib_pajak"]
    assert djp_name.casefold() != mismatch.company.company_name.casefold()
    owner = WORLD.fixture("sole_proprietor").person
    assert owner is not None
    status, body = await get(http, f"{urls['djp']}/djp/v1/npwp/{owner.nik}")
    assert status == 200
    reply = json.loads(body)
    assert reply["jenis_wajib_pajak"] == "ORANG_PRIBADI" and reply["npwp16"] == owner.nik


async def test_djp_not_found_and_malformed(urls, http):
    unknown = WORLD.fixture("npwp_unknown").company.npwp
    for npwp in (unknown, "0" + unknown, "0" * 15):
        status, body = await get(http, f"{urls['djp']}/djp/v1/npwp/{npwp}")
        assert status == 404, npwp
        assert json.loads(body)["status"] == "NOT_FOUND"
    for bad in ("01770411501300", "12345678901234567", "01.770.411.5-013.000", "abc"):
        status, body = await get(http, f"{urls['djp']}/djp/v1/npwp/{bad}")
        assert status == 400, bad
        assert json.loads(body)["status"] == "ERROR"


async def test_dukcapil_match_is_case_and_space_insensitive(urls, http):
    person = WORLD.fixture("approved_company").person
    assert person is not None
    name = "  " + person.full_name.title().replace(" ", "   ") + " "
    status, body = await verify(http, urls["dukcapil"], {"nik": person.nik, "nama_lgkp": name})
    assert status == 200
    assert json.loads(body) == {"nik": "Sesuai", "nama_lgkp": "Sesuai", "tgl_lhr": None}
    payload = {
        "nik": person.nik,
        "nama_lgkp": person.full_name,
        "tgl_lhr": person.birth_date.isoformat(),
    }
    status, body = await verify(http, urls["dukcapil"], payload)
    assert json.loads(body) == {"nik": "Sesuai", "nama_lgkp": "Sesuai", "tgl_lhr": "Sesuai"}


async def test_dukcapil_mismatches_never_reveal_the_record(urls, http):
    f = WORLD.fixture("dukcapil_name_mismatch")
    assert f.person is not None and f.responsible is not None
    wrong_day = f.person.birth_date.replace(day=1 if f.person.birth_date.day != 1 else 2)
    payload = {"nik": f.person.nik, "nama_lgkp": f.responsible.name, "tgl_lhr": str(wrong_day)}
    status, body = await verify(http, urls["dukcapil"], payload)
    assert status == 200
    reply = json.loads(body)
    assert reply == {"nik": "Sesuai", "nama_lgkp": "Tidak Sesuai", "tgl_lhr": "Tidak Sesuai"}
    text = body.decode().casefold()
    assert f.person.full_name.casefold() not in text
    assert f.person.birth_date.isoformat() not in text
    titled = WORLD.fixture("titled_responsible_person")
    assert titled.person is not None and titled.responsible is not None
    payload = {"nik": titled.person.nik, "nama_lgkp": titled.responsible.name}
    status, body = await verify(http, urls["dukcapil"], payload)
    assert json.loads(body)["nama_lgkp"] == "Tidak Sesuai"


async def test_dukcapil_unknown_nik(urls, http):
    responsible = WORLD.fixture("nik_not_in_dukcapil").responsible
    assert responsible is not None
    payload = {"nik": responsible.identity_number, "nama_lgkp": responsible.name}
    status, body = await verify(http, urls["dukcapil"], payload)
    assert status == 200
    assert json.loads(body) == {"nik": "Tidak Ditemukan", "nama_lgkp": None, "tgl_lhr": None}


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        [],
        {"nama_lgkp": "BUDI"},
        {"nik": "317101170845000", "nama_lgkp": "BUDI"},
        {"nik": 3171011708450001, "nama_lgkp": "BUDI"},
        {"nik": "3171011708450001"},
        {"nik": "3171011708450001", "nama_lgkp": "   "},
        {"nik": "3171011708450001", "nama_lgkp": "BUDI", "tgl_lhr": "17-08-1945"},
        {"nik": "3171011708450001", "nama_lgkp": "BUDI", "tgl_lhr": "19450817"},
        {"nik": "3171011708450001", "nama_lgkp": "BUDI", "tgl_lhr": "1945-02-30"},
    ],
)
async def test_dukcapil_malformed_is_400_without_echo(urls, http, payload):
    data = payload if isinstance(payload, str) else json.dumps(payload)
    async with http.post(urls["dukcapil"] + "/dukcapil/v1/verify", data=data) as resp:
        assert resp.status == 400
        body = await resp.read()
    assert set(json.loads(body)) == {"error"}
    assert b"3171" not in body and b"BUDI" not in body


async def test_fault_injection_and_reset(urls, http):
    base = urls["djp"]
    npwp = WORLD.fixture("approved_company").company.npwp
    try:
        async with http.post(base + "/admin/faults", json={"error_rate": 1}) as resp:
            assert resp.status == 200
        assert (await get(http, f"{base}/djp/v1/npwp/{npwp}"))[0] == 503
        assert (await get(http, base + "/health"))[0] == 200
        async with http.post(base + "/admin/faults", json={"malformed_rate": 1}) as resp:
            assert (await resp.json())["error_rate"] == 0
        status, body = await get(http, f"{base}/djp/v1/npwp/{npwp}")
        assert status == 200
        with pytest.raises(ValueError):
            json.loads(body)
        async with http.post(base + "/admin/faults", json={"latency_ms": 150}) as resp:
            assert resp.status == 200
        started = time.monotonic()
        assert (await get(http, f"{base}/djp/v1/npwp/{npwp}"))[0] == 200
        assert time.monotonic() - started >= 0.14
        for bad in ({"error_rate": 2}, {"error_rate": 0.6, "malformed_rate": 0.6}, {"x": 1}):
            async with http.post(base + "/admin/faults", json=bad) as resp:
                assert resp.status == 400, bad
    finally:
        async with http.delete(base + "/admin/faults") as resp:
            assert resp.status == 200
    assert (await get(http, f"{base}/djp/v1/npwp/{npwp}"))[0] == 200


async def test_per_record_overrides_hang_and_request_count(urls, http):
    base = urls["oss"]
    nib = WORLD.fixture("approved_company").company.nib
    other = WORLD.fixture("frozen_nib").company.nib
    overrides = {nib: {"status": 502}, other: {"status": "malformed"}}
    try:
        async with http.get(base + "/admin/requests") as resp:
            before = (await resp.json())["requests"]
        async with http.post(base + "/admin/faults", json={"overrides": overrides}) as resp:
            assert (await resp.json())["overrides"] == overrides
        assert (await get(http, f"{base}/oss/pia/v1/nib/{nib}"))[0] == 502
        status, body = await get(http, f"{base}/oss/pia/v1/nib/{other}")
        assert status == 200
        with pytest.raises(ValueError):
            json.loads(body)
        assert (await get(http, f"{base}/oss/pia/v1/nib/9999999999999"))[0] == 404
        async with http.get(base + "/admin/requests") as resp:
            assert (await resp.json())["requests"] - before == 3
        hang = {"timeout_rate": 1, "hang_ms": 300}
        async with http.post(base + "/admin/faults", json=hang) as resp:
            assert resp.status == 200
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.1):
                await get(http, f"{base}/oss/pia/v1/nib/{nib}")
        assert time.monotonic() - started < 0.3
        for bad in (
            {"overrides": {nib: {"status": 200}}},
            {"overrides": {nib: {"status": "slow"}}},
            {"overrides": [nib]},
            {"timeout_rate": 0.5, "error_rate": 0.6},
            {"hang_ms": -1},
        ):
            async with http.post(base + "/admin/faults", json=bad) as resp:
                assert resp.status == 400, bad
    finally:
        async with http.delete(base + "/admin/faults") as resp:
            assert (await resp.json())["overrides"] == {}
    assert (await get(http, f"{base}/oss/pia/v1/nib/{nib}"))[0] == 200


async def test_dukcapil_override_finds_the_nik_in_the_body(urls, http):
    base = urls["dukcapil"]
    person = WORLD.fixture("approved_company").person
    assert person is not None
    faults = {"overrides": {person.nik: {"status": 503}}}
    try:
        async with http.post(base + "/admin/faults", json=faults) as resp:
            assert resp.status == 200
        body = {"nik": person.nik, "nama_lgkp": person.full_name}
        async with http.post(base + "/dukcapil/v1/verify", json=body) as resp:
            assert resp.status == 503
        body = {"nik": "3171010101900001", "nama_lgkp": "X"}
        async with http.post(base + "/dukcapil/v1/verify", json=body) as resp:
            assert resp.status == 200
    finally:
        async with http.delete(base + "/admin/faults") as resp:
            assert resp.status == 200


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_cli_serves_and_exits_cleanly_on_signal(http, sig):
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "simulators", "oss", "--port", "0",
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert proc.stderr is not None
        line = (await asyncio.wait_for(proc.stderr.readline(), 20)).decode()
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
        assert match, line
        nib = WORLD.fixture("approved_company").company.nib
        status, _ = await get(http, f"{match.group(1)}/oss/pia/v1/nib/{nib}")
        assert status == 200
        proc.send_signal(sig)
        assert await asyncio.wait_for(proc.wait(), 20) == 0
        rest = await proc.stderr.read()
        assert nib.encode() not in rest  # no access log
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
