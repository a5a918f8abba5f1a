"""Find every kind of identifier in one cell's text, given what its column already says."""

from __future__ import annotations

import re
from typing import NamedTuple

from scripts.build.gate.checksums import luhn_valid, tax_code_valid
from scripts.build.gate.codes import PASSPORT_SERIES
from scripts.build.gate.context import DEVICE, ID, PASSPORT, PHONE, SOCIAL, TAX, text_context
from scripts.build.gate.digits import bank_card_valid, citizen_id_head, citizen_id_valid, phone_kind
from scripts.build.gate.patterns import EMAIL, GROUP, LETTERED, MASK_CHARS, MASK_MARKS, MASKED_ID, SPAN

# Lengths for which a bare number needs context before it is taken as an identifier.
_CONTEXT_LENGTHS = (9, 10, 13, 15)
_MAX_GROUPS = 5


class Hit(NamedTuple):
    """One kind found in a cell: the matched text (masked only when reported) and, if the hit is conditional,
    the (male, birth year) the row must show for it to count."""

    kind: str
    matched: str
    needs: tuple[bool, int] | None = None


class _Cell:
    """The text of one cell, its column's context, and the kinds found so far."""

    def __init__(self, text: str, context: frozenset[str]):
        self.text, self.context = text, context
        self.hits: dict[str, Hit] = {}

    def add(self, kind: str, matched: str, needs: tuple[bool, int] | None = None) -> None:
        # The first unconditional hit of a kind wins; it replaces a hit that needed a cross-field check.
        current = self.hits.get(kind)
        if current is None or (current.needs is not None and needs is None):
            self.hits[kind] = Hit(kind, matched, needs)

    def says(self, kind: str, start: int) -> bool:
        """Whether the column, or the words just before position start, give the context."""
        return kind in self.context or (start > 0 and kind in text_context(self.text, start))


def detect(text: str, context: frozenset[str] = frozenset()) -> dict[str, Hit]:
    """Every kind of identifier in the text, with the first match of each kind."""
    cell = _Cell(text, context)
    stripped = text.strip()
    if stripped.isascii() and stripped.isdigit():
        # A bare number (or a number column's value) can be nothing but one number: skip the text patterns.
        _lost_zero(cell, stripped)
        if kind := _classify(cell, stripped, False, 0):
            cell.add(kind, stripped)
        return cell.hits
    for span in SPAN.finditer(text):
        _windows(cell, span)
    if "@" in text and (found := EMAIL.search(text)):
        cell.add("email", found.group())
    for found in LETTERED.finditer(text):
        letter = found.group()[0]
        if found.group("health"):
            cell.add("health_insurance", found.group())
        elif letter.isupper() and (letter in PASSPORT_SERIES or cell.says(PASSPORT, found.start())):
            cell.add("passport", found.group())
    if any(mark in text for mark in MASK_MARKS):
        for found in MASKED_ID.finditer(text):
            if any(c in MASK_CHARS for c in found.group(3)) and citizen_id_head(found.group(1) + found.group(2)):
                cell.add("citizen_id", found.group())
                break
    return cell.hits


def _lost_zero(cell: _Cell, digits: str) -> None:
    """Read a bare number whose leading zeros a spreadsheet dropped, where the column says what it is."""
    padded, context = "0" + digits, cell.context
    n = len(digits)
    # Citizen IDs of provinces 001-009 lose two zeros. Without context such a number may be an amount; the row's
    # sex and birth year can still confirm it.
    if n in (10, 11) and citizen_id_valid(full := digits.zfill(12)):
        cell.add("citizen_id", digits, None if ID in context else citizen_id_head(full))
        if ID in context:
            return  # 'Số định danh chủ thuê bao' names a phone too, but its values are IDs, not phones
    if n == 8 and ID in context:
        cell.add("old_id_card", digits)
    elif n == 9 and SOCIAL in context:
        cell.add("social_insurance", digits)
    elif n == 9 and TAX in context and tax_code_valid(padded):
        cell.add("tax_code", digits)
    elif PHONE in context and n in (9, 10) and (kind := phone_kind(padded)):
        cell.add(kind, digits)


def _windows(cell: _Cell, span: re.Match[str]) -> None:
    """Try runs of whole digit groups of a span as identifiers, left to right and longest first."""
    text = span.group()
    if len(text) < 8:
        return
    groups = [(g.start(), g.end()) for g in GROUP.finditer(text)]
    # A dot between two groups glues them ('091.234.5678', '1.234.567'): a number never starts or ends there.
    glued = ["." in text[groups[k][1] : groups[k + 1][0]] for k in range(len(groups) - 1)]
    before = [0]  # before[k] = digits in groups[:k]
    for a, b in groups:
        before.append(before[-1] + b - a)
    plus = "+" in (span.group("lead") or "")
    # People split a number into at most 5 groups of 2 or more digits; a longer run of groups is a list of numbers
    # ('839 840 841 842 843 844'), where only a group on its own may be an identifier.
    widest = 1 if len(groups) > _MAX_GROUPS else _MAX_GROUPS
    i = 0
    while i < len(groups):
        matched = None
        if i == 0 or not glued[i - 1]:
            for j in range(len(groups) - 1, i - 1, -1):
                length = before[j + 1] - before[i]
                if length < 8:
                    break
                if length > 19 or (j < len(groups) - 1 and glued[j]) or not _groupable(groups, i, j, widest):
                    continue
                digits = "".join(text[a:b] for a, b in groups[i : j + 1])
                if kind := _classify(cell, digits, plus and i == 0, span.start()):
                    cell.add(kind, text[0 if i == 0 else groups[i][0] : groups[j][1]])
                    matched = j
                    break
        i = i + 1 if matched is None else matched + 1


def _groupable(groups: list[tuple[int, int]], i: int, j: int, widest: int) -> bool:
    """Whether groups i..j may form one number: one group, or up to `widest` groups of 2+ digits each (the span's
    last group may be a lone check digit, as in '49-015420-323751-8')."""
    if i == j:
        return True
    inner = groups[i : j + 1] if j < len(groups) - 1 else groups[i:j]
    return j - i < widest and all(b - a >= 2 for a, b in inner)


def _classify(cell: _Cell, digits: str, plus: bool, start: int) -> str | None:
    """The identifier a digit string is, context-bound kinds first because they are the more specific reading."""
    n = len(digits)
    if n in _CONTEXT_LENGTHS:
        if n == 9 and cell.says(ID, start):
            return "old_id_card"
        if n == 10 and cell.says(SOCIAL, start):
            return "social_insurance"
        if n in (10, 13) and cell.says(TAX, start) and tax_code_valid(digits):
            return "tax_code"
        if n == 15 and cell.says(DEVICE, start) and luhn_valid(digits):
            return "imei"
    if kind := phone_kind(digits, plus):
        return kind
    if citizen_id_valid(digits):
        return "citizen_id"
    if bank_card_valid(digits):
        return "bank_card"
    return None
