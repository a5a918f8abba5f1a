"""Find the sources' addresses in cells: the house-level part of each known address, as a whole-word run.

'Số 67, tổ 39, khu 6, Phường Hà Tu, tỉnh Quảng Ninh' is looked for as '67 tổ 39 khu 6': without the
administrative units (public, and shared by thousands) and without the filler words people add or drop ('số',
'nhà', 'đường', 'phố'), folded and confirmed like names (`words.py`). Only addresses with a house number are
kept: 'Tổ 3, khu 5' or 'Thôn Đồng Tâm' is where a few hundred people live, not where one does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from scripts.build.gate.names import PhraseIndex
from scripts.build.gate.words import spelled_and_folded_many

# A comma-separated part of an address that opens with one of these is an administrative unit: the house-level
# part ends before it.
_UNIT = re.compile(
    r"[,;\n]\s*(?:phường|phuong|xã|xa|thị trấn|thi tran|thị xã|thi xa|đặc khu|dac khu|huyện|huyen|quận|quan"
    r"|thành phố|thanh pho|tỉnh|tinh|tp|tt|tx|p|x|q|h)(?!\w)",
    re.IGNORECASE,
)
# Words people add or drop: 'số', 'nhà', 'đường', 'phố' (casefolded, as spelled or without accents).
FILLER = re.compile(r"(?<!\w)(?:số|so|nhà|nha|đường|duong|phố|pho)(?!\w)")
_FILLER_FOLDED = frozenset({"so", "nha", "duong", "pho"})  # (and a few other words: only to narrow the search)
# Addresses that open with a house number ('Số 12', 'số nhà 12', '12A'): only these are folded and indexed.
_HOUSE_FIRST = re.compile(r"\W*(?:(?:số|so|nhà|nha|số nhà)\.?\s*)*\d", re.IGNORECASE)
# A house number and at least two more words: '12 trần phú', '67 tổ 39 khu 6'.
_MIN_WORDS = 3


# Everything from an address's first administrative unit to its end, on many addresses joined by a NUL.
_FROM_UNIT = re.compile(_UNIT.pattern + r"[^\x00]*", re.IGNORECASE)


def house_parts(addresses: Iterable[str]) -> Iterator[tuple[list[str], list[str]]]:
    """The words (spelled, folded) of each address up to its administrative units, without filler words, if it
    has a house number."""
    housed = [address for address in addresses if _HOUSE_FIRST.match(address)]
    joined = "\x00".join(housed)
    if joined.count("\x00") == len(housed) - 1:
        # One pass over a province's addresses rather than one search each (a NUL is in no address).
        heads = _FROM_UNIT.sub("", joined).split("\x00") if housed else []
    else:
        heads = [address[: unit.start()] if (unit := _UNIT.search(address)) else address for address in housed]
    # Thousands of addresses share a house-level part ('Số 38, tổ 19, khu 1' in every commune): each distinct
    # part is folded once (a province's 750,000 addresses have about 113,000).
    for written, folded in spelled_and_folded_many(list(dict.fromkeys(heads)), drop=FILLER):
        if len(folded) >= _MIN_WORDS and folded[0][0].isdigit():
            yield written, folded


class AddressIndex(PhraseIndex):
    """The house-level parts of known addresses."""

    kind = "address"

    def __init__(self, known_addresses: frozenset[str]):
        super().__init__(house_parts(known_addresses))

    def tokens(self, folded: list[str]) -> list[str]:
        return [w for w in folded if w not in _FILLER_FOLDED]

    def words(self, text: str) -> tuple[list[str], list[str]]:
        written, folded = super().words(text)
        keep = [i for i, w in enumerate(written) if not FILLER.fullmatch(w)]
        return [written[i] for i in keep], [folded[i] for i in keep]


@lru_cache(maxsize=2)
def address_index_for(known_addresses: frozenset[str]) -> AddressIndex:
    """The index of a set of addresses, built once per set because every table of a build shares it."""
    return AddressIndex(known_addresses)
