"""Values of personal columns in messages: shown only by their shape, enough to see the problem, not to read them."""

from __future__ import annotations

MAX_SHOWN = 40


def shape(value: object) -> str:
    """Letters as 'x', digits as '9', other characters kept: '31/02/1990' -> '99/99/9999', 'Lê Văn' -> 'xx xxx'."""
    text = str(value)
    masked = "".join("9" if c.isdigit() else "x" if c.isalpha() else c for c in text[:MAX_SHOWN])
    return masked + ("…" if len(text) > MAX_SHOWN else "")
