"""Check digits of Vietnamese tax codes (mod 11) and payment cards (Luhn)."""

from __future__ import annotations

_MST_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def tax_code_valid(digits: str) -> bool:
    """Whether a 10- or 13-digit string is a well-formed tax code (MST) with the right check digit."""
    if len(digits) not in (10, 13) or not digits.isascii() or not digits.isdigit():
        return False
    # A zero sequence number or a zero branch suffix is never issued.
    if digits[2:9] == "0000000" or (len(digits) == 13 and digits[10:] == "000"):
        return False
    total = sum(weight * int(digit) for weight, digit in zip(_MST_WEIGHTS, digits))
    return str(10 - total % 11) == digits[9]


def luhn_valid(digits: str) -> bool:
    """Whether a digit string passes the Luhn check used by payment card numbers."""
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0
