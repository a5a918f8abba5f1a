"""Numbers and dates as a reader of each language writes them: vi 3.300 and 05/12/2026, en 3,300 and 5 Dec 2026."""

from __future__ import annotations

import datetime as dt

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def number(value: float, lang: str, decimals: int = 0) -> str:
    """Thousands grouped and the decimal mark of the language."""
    text = f"{value:,.{decimals}f}"
    if lang == "vi":  # swap the marks: 3,300.5 -> 3.300,5
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def percent(share: float, lang: str) -> str:
    """A share of 1 as a percentage with one decimal: vi 12,5%, en 12.5%."""
    return f"{number(100 * share, lang, 1)}%"


def date(value: str | dt.date | None, lang: str) -> str:
    """An ISO date (or a date) as the language writes it; "" when there is none or it is not a date."""
    if not value:
        return ""
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return ""
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}" if lang == "en" else day.strftime("%d/%m/%Y")
