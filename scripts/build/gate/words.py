"""The words of a cell as names and addresses are matched: folded to find them, as spelled to confirm them.

Folding (case, accents, đ, invisible characters and punctuation dropped) finds 'Nguyen Van An' for 'Nguyễn Văn
An'. It also makes different words one ('Lực' and 'Lục' both fold to 'luc'), so a folded match is confirmed word
by word on the spelling: each word is written as in the known name (old or new tone placement alike: 'Hoà',
'Hòa') or written without any diacritic. 'hiệu lực Văn phòng' is then not 'Lục Văn Phong'.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from scripts.build.gate.normalise import FORMAT

_NOT_WORD = re.compile(r"[\W_]+")
_COMBINING = re.compile(r"[\u0300-\u036f]+")


def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().replace("đ", "d")


# Latin letters with diacritics (Vietnamese among them) and capitals, folded by one str.translate; anything else
# non-ASCII that is left (full-width letters, ligatures) goes the slow, general way.
_FOLD = {ord(c): c.lower() for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
_FOLD.update(
    {cp: folded for cp in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)) if (folded := _fold_char(chr(cp))) != chr(cp)}
)
_FOLD.update({ord(c): None for c in "\u00ad\u200b\u200c\u200d\u2060\ufeff"})


def fold(text: str) -> str:
    """Casefolded, accents, đ and invisible characters dropped, compatibility forms (full width) resolved,
    punctuation turned into spaces and whitespace collapsed: 'NGUYỄN  Văn-Ân' folds to 'nguyen van an'."""
    text = text.translate(_FOLD)
    if not text.isascii():
        text = _fold_char(FORMAT.sub("", text))
    return " ".join(_NOT_WORD.sub(" ", text).split())


def folded_cells(texts: Iterable[str]) -> list[list[str]]:
    """The folded words of each text; a lone token of letters and digits (a code, a key) has none that matter."""
    out = []
    for text in texts:
        if text.isalnum() and not text.isalpha() and not text.isdigit():
            out.append([])
            continue
        text = text.translate(_FOLD)
        if not text.isascii():
            text = _fold_char(FORMAT.sub("", text))
        out.append(_NOT_WORD.sub(" ", text).split())
    return out


# Old and new tone placement in 'oa', 'oe' and 'uy' at the end of a syllable ('hoà' and 'hòa', 'thuỷ' and
# 'thủy'): both are rewritten to the tone on the first vowel, so either spelling confirms the other.
_TONES = "\u0300\u0301\u0309\u0303\u0323"
_OLD_STYLE = {
    unicodedata.normalize("NFC", first + second + tone): unicodedata.normalize("NFC", first + tone + second)
    for first, second in (("o", "a"), ("o", "e"), ("u", "y"))
    for tone in _TONES
}
_TONE_AT_END = re.compile(f"(?:{'|'.join(_OLD_STYLE)})(?!\\w)")


def spelled(text: str) -> list[str]:
    """The words as written: NFKC, casefolded, invisible characters dropped, one tone placement."""
    text = unicodedata.normalize("NFKC", FORMAT.sub("", text)).casefold()
    return _NOT_WORD.sub(" ", _TONE_AT_END.sub(lambda m: _OLD_STYLE[m.group()], text)).split()


def spelled_and_folded(text: str) -> tuple[list[str], list[str]]:
    """The words as written and, side by side, folded."""
    written = spelled(text)
    folded = fold(" ".join(written)).split(" ")
    if len(folded) != len(written):  # a word that folds into two ('½'): fold word by word
        folded = [fold(word).replace(" ", "") for word in written]
    return written, folded


# Many texts are rewritten as one string, joined by a character no text holds: one pass of each step instead of
# one call per text (building the indexes of a province's names and addresses).
_JOIN = "\x00"
_NOT_WORD_OR_JOIN = re.compile(r"[^\w\x00]+|_")


def spelled_and_folded_many(texts: list[str], drop: re.Pattern[str] | None = None) -> list[tuple[list[str], list[str]]]:
    """`spelled_and_folded` of each text, without the spelled words `drop` matches."""
    big = _JOIN.join(texts)
    if big.count(_JOIN) != len(texts) - 1:
        return [_without(spelled_and_folded(text), drop) for text in texts]
    big = _TONE_AT_END.sub(
        lambda m: _OLD_STYLE[m.group()], unicodedata.normalize("NFKC", FORMAT.sub("", big)).casefold()
    )
    if drop is not None:
        big = drop.sub(" ", big)
    big = _NOT_WORD_OR_JOIN.sub(" ", big)
    plain = _COMBINING.sub("", unicodedata.normalize("NFD", big.replace("đ", "d")))
    out = []
    for text, written, folded in zip(texts, big.split(_JOIN), plain.split(_JOIN)):
        written, words = written.split(), folded.split()
        # Letters no accent-stripping makes ASCII, or a word that folds into two: that text the slow way.
        if len(words) == len(written) and folded.isascii():
            out.append((written, words))
        else:
            out.append(_without(spelled_and_folded(text), drop))
    return out


def _without(words: tuple[list[str], list[str]], drop: re.Pattern[str] | None) -> tuple[list[str], list[str]]:
    if drop is None:
        return words
    kept = [i for i, word in enumerate(words[0]) if not drop.fullmatch(word)]
    return [words[0][i] for i in kept], [words[1][i] for i in kept]


def agrees(written: list[str], known: list[str]) -> bool:
    """Whether words that fold alike are the same words: each written as known, or without any diacritic."""
    return all(w == k or w.isascii() for w, k in zip(written, known))
