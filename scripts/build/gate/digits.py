"""Structural rules that tell which identifier a bare digit string could be."""

from __future__ import annotations

from datetime import date

from scripts.build.gate.checksums import luhn_valid
from scripts.build.gate.codes import (
    CARD_PREFIXES,
    CITIZEN_ID_PROVINCES,
    LANDLINE_AREAS,
    MOBILE_PREFIXES,
    NAPAS_BIN,
    OLD_MOBILE_PREFIXES,
)

THIS_YEAR = date.today().year


def citizen_id_head(head: str) -> tuple[bool, int] | None:
    """The (male, birth year) that the first six digits of a citizen ID reveal, or None if they cannot open one."""
    if len(head) < 6 or head[:3] not in CITIZEN_ID_PROVINCES or head[3] not in "0123":
        return None
    century = 1900 if head[3] in "01" else 2000
    year = century + int(head[4:6])
    if year > THIS_YEAR:
        return None
    return head[3] in "02", year


def citizen_id_valid(digits: str) -> bool:
    """Whether a digit string is a plausible 12-digit citizen ID: province, century+sex digit and birth year."""
    return len(digits) == 12 and citizen_id_head(digits) is not None


def phone_kind(digits: str, plus: bool = False) -> str | None:
    """'mobile_phone' or 'landline' when the digits (trunk 0 or country code 84 included) dial one, else None."""
    if digits.startswith("84") and (plus or len(digits) in (11, 12)):
        # People often keep the trunk 0 after the country code: +84 0912 345 678.
        national = digits[2:].removeprefix("0")
    elif digits.startswith("0") and not plus:
        national = digits[1:]
    else:
        return None
    if len(national) == 9 and national[:2] in MOBILE_PREFIXES:
        return "mobile_phone"
    if len(national) == 10:
        if national[:3] in OLD_MOBILE_PREFIXES:
            return "mobile_phone"
        if national[:2] in LANDLINE_AREAS or national[:3] in LANDLINE_AREAS:
            return "landline"
    return None


def bank_card_valid(digits: str) -> bool:
    """Whether a digit string is a domestic NAPAS card (9704, 16-19 digits) or a Luhn-valid 16-digit card."""
    if digits.startswith(NAPAS_BIN):
        return 16 <= len(digits) <= 19
    return len(digits) == 16 and digits.startswith(CARD_PREFIXES) and luhn_valid(digits)
