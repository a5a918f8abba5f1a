"""The names of the portal's enumerations as the pages show them, in the reader's language: update frequency,
access tier, column type. The build writes codes (contract.FREQUENCIES, the access of each dataset, SQLite types as
Frictionless names); the catalogue translates their English names, which contract.FREQUENCIES also gives the build.
"""

from __future__ import annotations

from . import contract
from .translations import N_, gettext

FREQUENCIES = {
    "daily": N_("Daily"),
    "weekly": N_("Weekly"),
    "monthly": N_("Monthly"),
    "quarterly": N_("Quarterly"),
    "annual": N_("Annual"),
    "irregular": N_("Irregular"),
}
ACCESS = {"public": N_("Public"), "restricted": N_("Restricted (partner agencies)")}
COLUMN_TYPES = {"string": N_("string"), "integer": N_("integer"), "number": N_("number")}
assert set(FREQUENCIES) == set(contract.FREQUENCIES), "a frequency of the contract has no name here"


def frequency(code: str | None, lang: str | None = None) -> str:
    """An update frequency's name ("Hằng năm" / "Annual"); an unknown code as it is."""
    return gettext(FREQUENCIES[code], lang) if code in FREQUENCIES else (code or "")


def access(code: str | None, lang: str | None = None) -> str:
    return gettext(ACCESS[code], lang) if code in ACCESS else (code or "")


def column_type(code: str | None, lang: str | None = None) -> str:
    return gettext(COLUMN_TYPES[code], lang) if code in COLUMN_TYPES else (code or "")
