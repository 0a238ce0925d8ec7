"""R11: the Surat Kuasa is a PDF of at most 1 MB, judged by its bytes, not its file name.

A PDF starts with the ``%PDF-`` header and ends with an ``%%EOF`` marker
(ISO 32000-1, 7.5.2 and 7.5.5; trailing whitespace after the marker is
common). Parsing the whole document would need a PDF library and buys little
here: the check keeps out renamed images, office files and empty uploads.
"""

MAX_BYTES = 1024 * 1024
HEADER = b"%PDF-"
EOF_MARKER = b"%%EOF"
TAIL = 1024


def pdf_problem(content: bytes) -> str | None:
    """Why ``content`` is not an acceptable Surat Kuasa, or ``None`` when it is."""
    if not content:
        return "empty file"
    if len(content) > MAX_BYTES:
        return "larger than 1 MB"
    if not content.startswith(HEADER):
        return "not a PDF (no %PDF- header)"
    if EOF_MARKER not in content[-TAIL:]:
        return "not a complete PDF (no %%EOF marker at the end)"
    return None
