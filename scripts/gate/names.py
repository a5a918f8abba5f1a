"""Find the full names of known people in cells, as whole values or as whole-word runs inside text."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pandas as pd

_NOT_WORD = re.compile(r"[\W_]+")
_LETTER = re.compile(r"[^\W\d_]")


def normalise(text: str) -> str:
    """NFC, casefolded, punctuation turned into spaces and whitespace collapsed."""
    return " ".join(_NOT_WORD.sub(" ", unicodedata.normalize("NFC", text).casefold()).split())


class NameIndex:
    """Known names by their first word, so a cell is checked with one dict lookup per word."""

    def __init__(self, known_names: frozenset[str]):
        self.names: set[str] = set()
        lengths: dict[str, set[int]] = {}
        short = 0
        for name in known_names:
            words = normalise(name).split()
            if len(words) < 2:
                short += 1
                continue
            self.names.add(" ".join(words))
            lengths.setdefault(words[0], set()).add(len(words))
        if short:
            # One-word names would match ordinary words everywhere; the caller must not pass them.
            raise ValueError(f"known_names holds {short} name(s) of fewer than 2 words")
        # Longest first, so 'Nguyễn Văn An Bình' is reported rather than its prefix 'Nguyễn Văn An'.
        self.lengths = {first: tuple(sorted(ns, reverse=True)) for first, ns in lengths.items()}

    def find(self, words: list[str]) -> str | None:
        """The first known name that occurs as a run of whole words, or None."""
        lengths, names = self.lengths, self.names
        if lengths.keys().isdisjoint(words):
            return None
        for i in [i for i, word in enumerate(words) if word in lengths]:
            for n in lengths[words[i]]:
                candidate = " ".join(words[i : i + n])
                if candidate in names:
                    return candidate
        return None

    def search(self, texts: pd.Series) -> dict[int, str]:
        """For each text (by index) that holds a known name, the name found."""
        texts = texts[texts.str.contains(_LETTER)]
        words = texts.str.normalize("NFC").str.casefold().str.replace(_NOT_WORD, " ", regex=True).str.split()
        found = {}
        for index, cell in zip(words.index, words.to_numpy()):
            if len(cell) > 1 and (name := self.find(cell)):
                found[index] = name
        return found


@lru_cache(maxsize=2)
def index_for(known_names: frozenset[str]) -> NameIndex:
    """The index of a set of names, built once per set because every table of a build shares it."""
    return NameIndex(known_names)
