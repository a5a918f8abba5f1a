"""Text as the catalogue search index holds it and as a visitor's words are matched against it.

The build (scripts/build/publish/search_index.py) stores every text folded by `fold`, and the search folds the
query the same way, so diacritics are optional both ways: "Ha Long", "ha long" and "Hạ Long" are one query.
SQLite's unicode61 tokenizer removes tones and marks but leaves "đ" as it is, so folding is done here, in Python,
once for both sides. A query becomes a list of quoted words: FTS5's own syntax (quotes, `*`, `NEAR`, `-`, `:`,
parentheses) is never reached by what a visitor types.
"""

from __future__ import annotations

import re
import unicodedata

TOKENIZER = "unicode61 remove_diacritics 2"  # text is already folded; this only splits it into words
# unicode61's words: runs of letters and digits; everything else, "_" included, separates them.
WORD = re.compile(r"[^\W_]+")
MAX_QUERY_CHARS = 200  # longer is refused (400): no dataset title or place name comes near it
MAX_WORDS = 12  # the first twelve words are searched; FTS5 work grows with each one


def fold(text: str | None) -> str:
    """Lower case, no tones or marks, đ as d: the form both the index and the query take."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").casefold()


def words(query: str | None) -> list[str]:
    """The distinct folded words of a query, in order, at most MAX_WORDS."""
    seen: list[str] = []
    for word in WORD.findall(fold(query)):
        if word not in seen:
            seen.append(word)
    return seen[:MAX_WORDS]


def every_word(found: list[str]) -> str:
    """An FTS5 expression matching text that holds every word (each quoted, so nothing in it is syntax)."""
    return " AND ".join(f'"{word}"' for word in found)


def phrase(found: list[str]) -> str:
    """An FTS5 expression matching text that holds the words side by side, in order."""
    return f'"{" ".join(found)}"'


def any_word(found: list[str]) -> str:
    """An FTS5 expression matching text that holds any of the words, and the words as a phrase: the phrase adds to
    the bm25 score of the documents where they are written together ("dân số" over "dân cư … chuyển đổi số")."""
    terms = [f'"{word}"' for word in found] + ([phrase(found)] if len(found) > 1 else [])
    return " OR ".join(terms)
