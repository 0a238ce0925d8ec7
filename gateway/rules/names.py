"""Comparing people's names the way an officer would.

Indonesian names are written with or without honorifics and academic degrees
("H.", "Hj.", "Ir.", "Dr.", "S.E.", "S.H.", ...), in any case and spacing. The
comparison ignores those and punctuation, and nothing else: a different person
must not match.
"""

import unicodedata

_TITLES = frozenset(
    [
        "h",
        "hj",
        "ir",
        "dr",
        "drs",
        "dra",
        "prof",
        "ny",
        "tn",
        "sdr",
        "sdri",
        "kh",
        "se",
        "sh",
        "st",
        "si",
        "skom",
        "sked",
        "mm",
        "mba",
        "mh",
        "msi",
        "mt",
        "mkom",
        "sag",
        "spd",
        "ssos",
        "sh",
        "mhum",
        "ak",
        "cpa",
    ]
)


def normalise_name(name: str) -> str:
    """Name reduced to its words: accents, case, punctuation, titles and degrees removed."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    folded = folded.replace(",", " ")
    words = []
    for token in folded.split():
        bare = token.replace(".", "").replace("'", "")
        if not bare or bare in _TITLES:
            continue
        words.append(bare)
    return " ".join(words)


def same_person_name(left: str, right: str) -> bool:
    """True when two written names are the same name once titles and styling are ignored."""
    a, b = normalise_name(left), normalise_name(right)
    return bool(a) and a == b


def same_company_name(left: str, right: str) -> bool:
    """True when two registries write the same company name (case, spacing, punctuation aside).

    DJP writes names in capitals and OSS as filed; legal-form words (PT, CV,
    Tbk) are kept: a PT and a CV of the same name are different companies.
    """

    def words(name: str) -> list[str]:
        folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
        return "".join(c if c.isalnum() else " " for c in folded).split()

    a, b = words(left), words(right)
    return bool(a) and a == b
