"""What people write, rewritten the way the number and e-mail detectors read it.

`scan_form` is a second reading of a cell: the gate scans both the cell as written and this form, so a rewrite
can add findings but never hide one. (Names and addresses are matched on folded words: `words.py`.)
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from scripts.build.gate.digits import bank_card_valid, citizen_id_valid, phone_kind

# Invisible characters (zero-width space and joiners, soft hyphen, direction marks, word joiner, BOM, variation
# selectors): copy-paste and deliberate obfuscation put them inside numbers and names, and no reader sees them.
FORMAT = re.compile(
    "[\u00ad\u034f\u061c\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff\ufff9-\ufffb]"
)
# Hyphens and dashes that word processors substitute for '-' (NFKC keeps them apart).
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212", "-"))
# Decimal digits of other scripts (NFKC already folds full-width ones).
_OTHER_DIGITS = re.compile(r"(?:(?![0-9])\d)+")

# A letter standing for a digit: a token of digits, O, o, I and l only, at least half of it digits ('O9I2345678').
_LETTER_DIGITS = re.compile(r"(?<!\w)[0-9OoIl]*[0-9][0-9OoIl]*(?!\w)")
_AS_DIGIT = str.maketrans("OoIl", "0011")

# Vietnamese digit words, with and without accents, as people read a number out ('không chín một hai ...').
_DIGIT_WORDS = {
    "0": "không khong",
    "1": "một mot mốt",
    "2": "hai",
    "3": "ba",
    "4": "bốn bon tư",
    "5": "năm nam lăm lam nhăm",
    "6": "sáu sau",
    "7": "bảy bay bẩy",
    "8": "tám tam",
    "9": "chín chin",
}
_WORD_DIGIT = {word: digit for digit, words in _DIGIT_WORDS.items() for word in words.split()}
_WORD = "|".join(sorted(_WORD_DIGIT, key=len, reverse=True))
# Nine words at least: fewer are ordinary speech ('không một ai', 'hai ba năm').
_SPELLED = re.compile(rf"(?<!\w)(?:{_WORD})(?:[\s,.\-]+(?:{_WORD})){{8,}}(?!\w)", re.IGNORECASE)

# Cells that may read differently once rewritten; every other cell is scanned as written only. Plain ASCII and
# Vietnamese letters never trigger, so most free text skips the rewrite.
TRIGGER = re.compile(
    r"[^\x00-\x7f\u00c0-\u024f\u0300-\u036f\u1e00-\u1eff]"  # full-width, invisible, dashes, other digits, NBSP
    r"|(?<!\w)[0-9OoIl]*(?:\d[OoIl]|[OoIl]\d)[0-9OoIl]*(?!\w)"  # a letter for a digit
    r"|\(\s?0\s?\)"  # +84 (0) 912...
    r"|\d\s*[/\\|_]\s*\d|\d\s+[.\-]|[.\-]\s+\d|\d\s{2,}\d"  # separators the detectors do not read
    r"|(?<!\d)\d[ .\-/]\d[ .\-/]\d"  # one digit per group
    r"|[\[({<]\s*(?:at|dot|a|@|\.)\s*[\])}>]|\s@|@\s|\s(?:at|a còng|a cong)\s"  # e-mail spelled to dodge filters
    rf"|(?:không|khong)[\s,.\-]+(?:{_WORD})",  # a number read out digit by digit
    re.IGNORECASE,
)

# E-mail addresses written so that a harvester misses them: '[at]', '(a)', ' @ ', 'a còng', '[dot]', 'chấm'.
_AT = re.compile(r"\s*[\[({<]\s*(?:at|@|a|a còng|a cong)\s*[\])}>]\s*|\s+@\s*|\s*@\s+", re.IGNORECASE)
_DOT = re.compile(r"\s*[\[({<]\s*(?:dot|chấm|cham|\.)\s*[\])}>]\s*", re.IGNORECASE)
_SPACED_DOMAIN = re.compile(r"@((?:[A-Za-z0-9\-]+\s*\.\s*)+[A-Za-z]{2,})(?![\w.])")
# Bare words ('an at gmail dot com') only before a mail provider: 'meet at example dot com' stays prose.
_PROVIDERS = "gmail|googlemail|yahoo|ymail|hotmail|outlook|live|msn|icloud|me|proton|protonmail|fpt|vnn|viettel"
_TLD_DOT = r"\s*(?:\.|\s(?:dot|chấm|cham)\s)\s*"
_BARE_EMAIL = re.compile(
    rf"(?<![\w.])([A-Za-z0-9][A-Za-z0-9._+\-]*)\s+(?:at|a còng|a cong)\s+({_PROVIDERS})"
    rf"{_TLD_DOT}(com|net|vn)(?:{_TLD_DOT}(vn))?(?!\w)",
    re.IGNORECASE,
)

# '+84 (0) 918...': the trunk zero in brackets after the country code.
_TRUNK = re.compile(r"((?<!\w)\+?\s?84|\(\s?\+?\s?84\s?\))\s?\(\s?0\s?\)\s?")

# Eight or more digits each on its own ('0 2 2 0 9 0 1 2 3 4 5 6'): one number typed digit by digit.
_SINGLE_DIGITS = re.compile(r"(?<![\w.,])\d(?:[ .\-/]\d){7,}(?!\w)")

# Digit groups joined by any separator, the loose ones included ('0918/890/413', '0912 - 345 - 678').
_LOOSE_SEP = r"\s*[/\\|_]\s*|\s+[.\-]\s*|[.\-]\s+|\s{2,}"
_RUN = re.compile(rf"(?<![\w.,/\\|_\-])\d+(?:(?:{_LOOSE_SEP}|[ .\-])\d+)+(?![\w/\\|_])")
_LOOSE = re.compile(_LOOSE_SEP)
# Month and year, or day, month and year: ranges of periods ('01/2024 - 06/2024') are never read as one number.
_DATE = re.compile(
    r"(?<!\d)(?:\d{1,2}\s*[/.\-]\s*){1,2}(?:19|20)\d{2}(?!\d)|(?<!\d)(?:19|20)\d{2}\s*[/.\-]\s*\d{1,2}(?!\d)"
)
# A loose run whose parts each hold a whole number is a list ('0912345678/0987654321'), read part by part.
_LIST_PART = 9


def scan_form(text: str) -> str:
    """The cell as the number and e-mail detectors should read it."""
    text = FORMAT.sub("", unicodedata.normalize("NFKC", text)).translate(_DASHES)
    if not text.isascii():
        text = _OTHER_DIGITS.sub(lambda m: "".join(str(unicodedata.digit(c)) for c in m.group()), text)
    text = _LETTER_DIGITS.sub(_letters_as_digits, text)
    text = _SPELLED.sub(lambda m: "".join(_WORD_DIGIT[w.lower()] for w in re.findall(r"\w+", m.group())), text)
    if "@" in text or "at" in text.lower() or "còng" in text.lower() or "cong" in text.lower():
        text = _emails(text)
    text = _TRUNK.sub(r"\1 ", text)
    text = _SINGLE_DIGITS.sub(lambda m: re.sub(r"\D", "", m.group()), text)
    return _RUN.sub(_loose_run, text)


def scan_forms(texts: pd.Series) -> pd.Series:
    """The scan forms of those texts (by index) that read differently once rewritten."""
    if not len(texts):
        return texts
    maybe = texts[[_may_differ(text) for text in texts.to_numpy()]]
    forms = pd.Series([scan_form(t) for t in maybe.to_numpy()], index=maybe.index, dtype=texts.dtype)
    return forms[forms != maybe]


_LETTERS_AND_DIGITS = "0123456789OoIl"


def _may_differ(text: str) -> bool:
    """Whether a text may read differently once rewritten; a lone token of ASCII letters and digits (a code, a
    key) only if it is made of digits and letters that stand for digits."""
    if text.isascii() and text.isalnum():
        return not text.strip(_LETTERS_AND_DIGITS) and not text.isdigit() and not text.isalpha()
    return TRIGGER.search(text) is not None


def _letters_as_digits(match: re.Match[str]) -> str:
    token = match.group()
    digits = sum(c.isdigit() for c in token)
    return token.translate(_AS_DIGIT) if digits < len(token) and 2 * digits >= len(token) else token


def _emails(text: str) -> str:
    text = _BARE_EMAIL.sub(lambda m: f"{m[1]}@{m[2]}.{m[3]}" + (f".{m[4]}" if m[4] else ""), text)
    text = _DOT.sub(".", _AT.sub("@", text))
    return _SPACED_DOMAIN.sub(lambda m: "@" + re.sub(r"\s", "", m[1]), text)


def _loose_run(match: re.Match[str]) -> str:
    """A run with a separator the detectors do not read, as one number if it is one, else as it was written."""
    run = match.group()
    if not _LOOSE.search(run) or _DATE.search(run):
        return run
    digits = re.sub(r"\D", "", run)
    plus = match.string[max(0, match.start() - 2) : match.start()].strip().endswith("+")
    if phone_kind(digits, plus) or citizen_id_valid(digits) or bank_card_valid(digits):
        return digits
    parts = _LOOSE.split(run)
    if len(parts) > 1 and all(len(re.sub(r"\D", "", part)) >= _LIST_PART for part in parts):
        return " ; ".join(parts)
    return run
