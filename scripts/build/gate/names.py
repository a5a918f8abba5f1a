"""Find the full names of known people in cells, as whole values or as whole-word runs inside text.

Names are found on folded words and confirmed on their spelling (`words.py`): 'Nguyen Van An', 'NGUYỄN VĂN AN'
and 'Nguyễn Văn An' are the known 'Nguyễn Văn An', 'Nguyễn Văn Ân' is not.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import pandas as pd

from scripts.build.gate.words import agrees, spelled_and_folded, spelled_and_folded_many


class PhraseIndex:
    """Known phrases by the first of their folded words, so a cell is checked with one dict lookup per word, and
    each folded phrase with the spellings it stands for."""

    kind = "phrase"

    def __init__(self, phrases: Iterable[tuple[list[str], list[str]]]):
        """`phrases`: each known phrase's words as spelled and folded (`words.spelled_and_folded`)."""
        self.spellings: dict[str, str | tuple[str, ...]] = {}  # folded phrase -> its spelling(s)
        lengths: dict[str, set[int]] = {}
        for words, folded_words in phrases:
            spelling, folded = " ".join(words), " ".join(folded_words)
            known = self.spellings.get(folded)
            if known is None:
                self.spellings[folded] = spelling
            elif spelling not in (known if isinstance(known, tuple) else (known,)):
                self.spellings[folded] = (*(known if isinstance(known, tuple) else (known,)), spelling)
            lengths.setdefault(folded.split(" ", 1)[0], set()).add(len(words))
        # Longest first, so 'Nguyễn Văn An Bình' is reported rather than its prefix 'Nguyễn Văn An'.
        self.lengths = {first: tuple(sorted(ns, reverse=True)) for first, ns in lengths.items()}
        self.longest = max((ns[0] for ns in self.lengths.values()), default=0)

    def __bool__(self) -> bool:
        return bool(self.spellings)

    def tokens(self, folded: list[str]) -> list[str]:
        """The folded words of a cell that phrases are looked for in."""
        return folded

    def words(self, text: str) -> tuple[list[str], list[str]]:
        """A cell's words as spelled and folded, side by side, that phrases are looked for in."""
        return spelled_and_folded(text)

    def confirmed(self, folded: str, written: list[str]) -> bool:
        """Whether the written words are a spelling of the known phrase they fold to."""
        known = self.spellings.get(folded)
        if known is None:
            return False
        spellings = known if isinstance(known, tuple) else (known,)
        return any(agrees(written, spelling.split(" ")) for spelling in spellings)

    def find(self, written: list[str], folded: list[str]) -> str | None:
        """The first known phrase that occurs as a run of whole words, or None."""
        lengths = self.lengths
        for i in [i for i, word in enumerate(folded) if word in lengths]:
            for n in lengths[folded[i]]:
                candidate = " ".join(folded[i : i + n])
                if self.confirmed(candidate, written[i : i + n]):
                    return candidate
        return None

    def find_across(
        self, left: tuple[list[str], list[str]], right: tuple[list[str], list[str]], keep: int
    ) -> str | None:
        """The first known phrase that starts among the last `keep` words of the left cell, ends among the first of
        the right one, and is all of one of the two: a phrase split across neighbouring cells ('Trần Thị' |
        'Lan'), not the end of one sentence and the start of another."""
        written_l, folded_l = left[0][-keep:], left[1][-keep:]
        whole_left = len(left[1]) <= keep
        written, folded = written_l + right[0][:keep], folded_l + right[1][:keep]
        for i, word in enumerate(folded_l):
            for n in self.lengths.get(word, ()):
                end = i + n
                if not len(folded_l) < end <= len(folded):
                    continue
                if not ((whole_left and i == 0) or end - len(folded_l) == len(right[1])):
                    continue
                if self.confirmed(candidate := " ".join(folded[i:end]), written[i:end]):
                    return candidate
        return None

    def search(self, texts: pd.Series, folded: list[list[str]]) -> dict[int, str]:
        """For each text (by index; `folded` holds its folded words) that holds a known phrase, the phrase."""
        found = {}
        starts = self.lengths.keys()
        for index, text, cell in zip(texts.index, texts.to_numpy(), folded):
            # Folded words only tell where to look; the spelling confirms.
            if len(cell) > 1 and not starts.isdisjoint(cell) and (phrase := self.find(*self.words(text))):
                found[index] = phrase
        return found


class NameIndex(PhraseIndex):
    """Known full names."""

    kind = "person_name"

    def __init__(self, known_names: frozenset[str]):
        names = spelled_and_folded_many(list(known_names))
        short = sum(len(words) < 2 for words, _ in names)
        if short:
            # One-word names would match ordinary words everywhere; the caller must not pass them.
            raise ValueError(f"known_names holds {short} name(s) of fewer than 2 words")
        super().__init__(names)


@lru_cache(maxsize=2)
def index_for(known_names: frozenset[str]) -> NameIndex:
    """The index of a set of names, built once per set because every table of a build shares it."""
    return NameIndex(known_names)
