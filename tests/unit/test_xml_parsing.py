"""The hardened parse refuses every entity attack, and reads nothing from disk or network.

Each attack names a resource only the attack could reach: a temp file holding
a marker string, or a local HTTP server that counts requests. The tests
assert the refusal *and* that the resource was never used: the marker
appears nowhere, the server saw no request.
"""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from lxml import etree

from contracts.xml_parsing import (
    RefusalReason,
    XmlRefused,
    parse_untrusted,
    parse_with_hardened_parser,
)

MARKER = "SECRET-MARKER-7f3a9c"


class _Recorder(BaseHTTPRequestHandler):
    requests: list[str] = []  # noqa: RUF012  # shared by the server's handler instances

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        body = f'<!ENTITY remote "{MARKER}">'.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    _Recorder.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.requests
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(MARKER)
    return path


def _xxe_file(secret: Path) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "{secret.as_uri()}">]>\n<r>&x;</r>'
    ).encode()


def _external_dtd(url: str) -> bytes:
    return f'<?xml version="1.0"?>\n<!DOCTYPE r SYSTEM "{url}/evil.dtd">\n<r>&remote;</r>'.encode()


def _external_parameter_entity(url: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY % p SYSTEM "{url}/p.dtd"> %p;]>\n'
        "<r>&remote;</r>"
    ).encode()


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode()
        for i in range(1, 10)
    )
    + b"]>\n<lolz>&lol9;</lolz>"
)


def _everything_text(root: etree._Element) -> str:
    return etree.tostring(root, encoding="unicode") + "".join(str(t) for t in root.itertext())


def test_xxe_reading_a_local_file_is_refused_and_the_file_never_read(secret_file: Path):
    with pytest.raises(XmlRefused) as refused:
        parse_untrusted(_xxe_file(secret_file))
    assert refused.value.reason is RefusalReason.DTD_FORBIDDEN
    assert MARKER not in str(refused.value)


def test_the_parser_alone_does_not_resolve_an_external_file_entity(secret_file: Path):
    # Second line of defence: even without the byte scan, nothing is read.
    with pytest.raises(XmlRefused) as refused:
        parse_with_hardened_parser(_xxe_file(secret_file))
    assert refused.value.reason in {RefusalReason.DTD_FORBIDDEN, RefusalReason.MALFORMED}
    assert MARKER not in str(refused.value)
    # And what lxml itself produces with our parser never contains the file's text.
    from contracts.xsd import hardened_parser

    root = etree.fromstring(_xxe_file(secret_file), hardened_parser())
    assert MARKER not in _everything_text(root)


def test_billion_laughs_is_refused_before_expansion():
    with pytest.raises(XmlRefused) as refused:
        parse_untrusted(BILLION_LAUGHS)
    assert refused.value.reason is RefusalReason.DTD_FORBIDDEN


def test_the_parser_alone_does_not_expand_billion_laughs():
    with pytest.raises(XmlRefused) as refused:
        parse_with_hardened_parser(BILLION_LAUGHS)
    assert refused.value.reason in {RefusalReason.DTD_FORBIDDEN, RefusalReason.MALFORMED}


@pytest.mark.parametrize("attack", [_external_dtd, _external_parameter_entity])
def test_external_dtd_over_http_is_refused_and_never_requested(http_server, attack):
    url, requests = http_server
    with pytest.raises(XmlRefused) as refused:
        parse_untrusted(attack(url))
    assert refused.value.reason is RefusalReason.DTD_FORBIDDEN
    with pytest.raises(XmlRefused):
        parse_with_hardened_parser(attack(url))
    assert requests == []


def test_external_dtd_from_a_local_file_is_refused_and_never_read(tmp_path: Path):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text(f'<!ENTITY remote "{MARKER}">')
    document = f'<!DOCTYPE r SYSTEM "{dtd.as_uri()}"><r>&remote;</r>'.encode()
    for parse in (parse_untrusted, parse_with_hardened_parser):
        with pytest.raises(XmlRefused) as refused:
            parse(document)
        assert MARKER not in str(refused.value)


def test_a_utf16_document_type_declaration_is_refused_too(secret_file: Path):
    document = _xxe_file(secret_file).decode().replace('<?xml version="1.0"?>', "")
    with pytest.raises(XmlRefused) as refused:
        parse_untrusted("\ufeff".encode("utf-16-le") + document.encode("utf-16-le"))
    assert refused.value.reason is RefusalReason.DTD_FORBIDDEN


def test_an_oversized_document_is_refused_before_parsing():
    big = b"<r>" + b"x" * 2048 + b"</r>"
    with pytest.raises(XmlRefused) as refused:
        parse_untrusted(big, max_bytes=1024)
    assert refused.value.reason is RefusalReason.TOO_LARGE
    # The size check comes first: even garbage of that size is refused as too large.
    with pytest.raises(XmlRefused) as garbage:
        parse_untrusted(b"\x00" * 2048, max_bytes=1024)
    assert garbage.value.reason is RefusalReason.TOO_LARGE


def test_deep_nesting_and_too_many_elements_are_refused():
    deep = b"<a>" * 40 + b"</a>" * 40
    with pytest.raises(XmlRefused) as refused:
        parse_untrusted(deep, max_depth=32)
    assert refused.value.reason is RefusalReason.TOO_DEEP
    wide = b"<r>" + b"<x/>" * 50 + b"</r>"
    with pytest.raises(XmlRefused) as too_many:
        parse_untrusted(wide, max_elements=20)
    assert too_many.value.reason is RefusalReason.TOO_MANY_ELEMENTS


def test_malformed_xml_is_refused_without_quoting_the_document():
    with pytest.raises(XmlRefused) as refused:
        parse_untrusted(b"<r><name>Budi Contoh</nam></r>")
    assert refused.value.reason is RefusalReason.MALFORMED
    assert "Budi" not in str(refused.value)


def test_an_ordinary_document_parses_without_comments_or_processing_instructions():
    root = parse_untrusted(b'<?xml version="1.0"?><!-- hi --><r a="1"><?pi x?><b>t</b></r>')
    assert root.tag == "r"
    assert etree.tostring(root) == b'<r a="1"><b>t</b></r>'
