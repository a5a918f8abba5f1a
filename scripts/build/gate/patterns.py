"""Compiled regular expressions that find identifier-shaped text in a cell."""

from __future__ import annotations

import re

# Separators people put inside numbers; a comma is not one because it is the decimal mark of Vietnamese figures.
_SEP = r"[ \u00a0.\-]"

# Cells worth a closer look: six digits in a row (separators allowed), or an '@'. Cells without either cannot
# hold any of the number detectors' targets, so most free text skips them.
CANDIDATE = re.compile(rf"\d(?:{_SEP}?\d){{5}}|@")

# A run of digit groups joined by single separators, optionally opened by '+', '(' or '(+' (country or area
# code). It must not continue a code or a decimal: 'H42-240315-0001', '105.0912345678' and '123/2024/KS' start
# after a letter or after a digit and a separator, so none of their parts is taken as a separate number.
SPAN = re.compile(
    rf"(?<![\w+(])(?<!\d[.,/\-])(?P<lead>\(\s?\+?|\+\s?)?\d+(?:(?:\s?\){_SEP}?|{_SEP})\d+)*(?!\w)",
)
GROUP = re.compile(r"\d+")

# A citizen ID with its last digits hidden: the first six (province, century+sex, year) still identify a lot.
# Cells are only searched when they hold one of MASK_MARKS (a single 'x' is ordinary Vietnamese: 'xã').
MASK_CHARS = "*xX•#"
MASK_MARKS = ("*", "•", "#", "xx", "XX")
MASKED_ID = re.compile(
    rf"(?<![\w*•#])(\d{{3}}){_SEP}?(\d{{3}}){_SEP}?((?:[\d*xX•#]{_SEP}?){{5}}[\d*xX•#])(?![\w*•#])",
)

# Identifiers that open with a letter, in one pass (each alternative starts with a letter, so the engine skips
# quickly to letters; the lookbehind keeps both out of longer codes):
# - health-insurance card: 2 letters (beneficiary group), 1 digit 1-5 (benefit level), 2-digit province, 10 digits;
# - passport: one capital letter and seven digits.
LETTERED = re.compile(
    rf"[A-Za-z](?<![\w.\-/][A-Za-z])"
    rf"(?:(?P<health>[A-Za-z]{_SEP}?[1-5]{_SEP}?\d{{2}}(?:{_SEP}?\d){{10}})(?!\w)"
    rf"|(?P<passport>\d{{7}})(?![\w]|[.\-/]\w))"
)

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
