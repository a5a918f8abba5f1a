"""Controlled vocabularies the machine-readable catalogues use: EU authority tables, IANA media types, GeoNames.

One place for every IRI, so that DCAT-AP, data.json, the CKAN API and schema.org say the same. The themes come
from data/themes.yml through the release's metadata (scripts/build/publish/themes.py).
"""

from __future__ import annotations

from . import contract

AUTHORITY = "http://publications.europa.eu/resource/authority/"
DATA_THEME = AUTHORITY + "data-theme"
FREQUENCY = AUTHORITY + "frequency"
LANGUAGE = AUTHORITY + "language"
ACCESS_RIGHT = AUTHORITY + "access-right"
FILE_TYPE = AUTHORITY + "file-type"
LICENCE = AUTHORITY + "licence"
COUNTRY = AUTHORITY + "country"
PUBLISHER_TYPE = "http://purl.org/adms/publishertype/1.0"
IANA = "https://www.iana.org/assignments/media-types/"

SCHEME_TITLES = {
    DATA_THEME: "Data theme",
    FREQUENCY: "Frequency",
    LANGUAGE: "Language",
    ACCESS_RIGHT: "Access right",
    FILE_TYPE: "File type",
    LICENCE: "Licence",
    COUNTRY: "Country",
    PUBLISHER_TYPE: "Publisher type",
}
FREQUENCIES = {name: frequency.eu_code for name, frequency in contract.FREQUENCIES.items()}
FREQUENCY_LABELS = {code: name for name, code in FREQUENCIES.items()}
ACCESS_RIGHTS = {"public": "PUBLIC", "restricted": "RESTRICTED"}
LANGUAGES = {"vi": ("VIE", "Tiếng Việt", "Vietnamese"), "en": ("ENG", "Tiếng Anh", "English")}
EU_THEMES = {
    "AGRI": "Agriculture, fisheries, forestry and food",
    "ECON": "Economy and finance",
    "EDUC": "Education, culture and sport",
    "ENER": "Energy",
    "ENVI": "Environment",
    "GOVE": "Government and public sector",
    "HEAL": "Health",
    "INTR": "International issues",
    "JUST": "Justice, legal system and public safety",
    "REGI": "Regions and cities",
    "SOCI": "Population and society",
    "TECH": "Science and technology",
    "TRAN": "Transport",
}
# The manifest's licence names → the EU licence table, SPDX identifiers and the licence's own page.
LICENCES = {name: (licence.eu_code, licence.title, licence.page) for name, licence in contract.LICENCES.items()}
# Formats of the distributions: EU file type, IANA media type.
FORMATS = {
    "CSV": ("CSV", "text/csv"),
    "XLSX": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "JSON": ("JSON", "application/json"),
}

# The province: GeoNames' first-order division "Tỉnh Quảng Ninh" and the country it lies in.
PROVINCE = "https://sws.geonames.org/1568758/"
PROVINCE_NAME = ("Tỉnh Quảng Ninh", "Quang Ninh Province")
VIETNAM = COUNTRY + "/VNM"
# Departments of a provincial People's Committee are regional authorities in ADMS' publisher types.
REGIONAL_AUTHORITY = "http://purl.org/adms/publishertype/RegionalAuthority"


def licence_iri(licence: str) -> str:
    """The EU licence table's IRI for a manifest licence, or the name itself when it is not in the table."""
    known = LICENCES.get(licence)
    return f"{LICENCE}/{known[0]}" if known else licence


def licence_page(licence: str) -> str:
    """The licence's own page (what people and Project Open Data want)."""
    known = LICENCES.get(licence)
    return known[2] if known else licence


def themes(datasette) -> dict[str, dict]:
    """The release's theme mapping: manifest theme id → {"eu": code, "national": {id, vi, en}, vi, en}."""
    return (datasette.plugin_config(contract.CATALOGUE_CONFIG) or {}).get("themes") or {}


def contact(datasette) -> dict:
    """The portal-wide contact point from metadata.yml: name and e-mail."""
    config = datasette.plugin_config(contract.CATALOGUE_CONFIG) or {}
    return {"name": config.get("contact_name") or "", "email": config.get("contact_email") or ""}


def dataset_contact(datasette, entry: dict, lang: str = "vi") -> dict:
    """A dataset's contact point: its publisher, with the publisher's mailbox from the manifest, or the portal-wide
    contact's mailbox when the publisher has none (the contact's name too, when the entry names no publisher)."""
    config = datasette.plugin_config(contract.CATALOGUE_CONFIG) or {}
    portal = contact(datasette)
    email = (config.get(contract.PUBLISHER_EMAILS) or {}).get(entry.get("publisher_id") or "")
    publisher = (entry.get("publisher_en") if lang == "en" else None) or entry.get("publisher") or ""
    return {"name": publisher or portal["name"], "email": email or portal["email"]}
