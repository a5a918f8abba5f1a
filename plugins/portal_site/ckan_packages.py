"""The portal's datasets, publishers, themes, tags and licences as CKAN 2.10's action API shapes them.

Resources point at whole-table downloads (the release's CSV file with its size, or the streamed CSV of a restricted
table), never at a page of rows.
"""

from __future__ import annotations

import re

from . import catalogue, table_files
from . import vocabularies as v

# CKAN accepts letters, digits, spaces and `-_.` in tag names; anything else (a "/" in "46/KH-UBND") becomes "-".
TAG_UNSAFE = re.compile(r"[^\w \-.]")
LICENCE_IDS = {"CC-BY-4.0": "cc-by", "CC0-1.0": "cc-zero", "ODbL-1.0": "odc-odbl"}


def tag_names(entry: dict) -> list[str]:
    keywords = [k.strip() for k in (entry["keywords"] or "").split(";") if k.strip()]
    return list(dict.fromkeys(TAG_UNSAFE.sub("-", k) for k in keywords))


def licence(name: str) -> dict:
    known = v.LICENCES.get(name)
    return {
        "id": LICENCE_IDS.get(name, name),
        "title": known[1] if known else name,
        "url": v.licence_page(name),
        "status": "active",
        "od_conformance": "approved" if known else "not reviewed",
        "osd_conformance": "not reviewed",
        "domain_data": True,
        "domain_content": False,
        "domain_software": False,
        "is_generic": False,
        "maintainer": "",
        "family": "",
    }


def organization(entry: dict) -> dict | None:
    if not entry["publisher_id"]:
        return None
    return {
        "id": entry["publisher_id"],
        "name": entry["publisher_id"],
        "title": entry["publisher"],
        "display_name": entry["publisher"],
        "description": entry["publisher_en"],
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
    }


def group(entry: dict) -> dict | None:
    if not entry["theme_id"]:
        return None
    return {
        "id": entry["theme_id"],
        "name": entry["theme_id"],
        "title": entry["theme"],
        "display_name": entry["theme"],
        "description": entry["theme_en"],
        "type": "group",
        "is_organization": False,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
    }


def resources(entry: dict, base: str, modified: str) -> list[dict]:
    table = base + entry["table_url"]
    download = catalogue.csv_download(entry, base)
    common = {
        "package_id": entry["id"],
        "state": "active",
        "created": modified,
        "last_modified": modified,
        "metadata_modified": modified,
        "url_type": None,
        "size": None,
        "hash": "",
    }
    xlsx = table_files.file_download(entry, base, "xlsx")
    items = [
        dict(
            common,
            id=f"{entry['id']}-csv",
            name=f"{entry['title_vi']} (CSV)",
            format="CSV",
            mimetype="text/csv",
            url=download["url"],
            size=download["bytes"],
            description="Toàn bộ bảng, mọi dòng · The whole table, every row",
        ),
        *(
            [
                dict(
                    common,
                    id=f"{entry['id']}-xlsx",
                    name=f"{entry['title_vi']} (XLSX)",
                    format="XLSX",
                    mimetype=xlsx["media_type"],
                    url=xlsx["url"],
                    size=xlsx["bytes"],
                    hash=f"sha256:{xlsx['sha256']}",
                    description="Toàn bộ bảng cho Excel, mọi dòng · The whole table for Excel, every row",
                )
            ]
            if xlsx
            else []
        ),
        dict(
            common,
            id=f"{entry['id']}-api",
            name=f"{entry['title_vi']} (JSON API)",
            format="JSON",
            mimetype="application/json",
            url=f"{table}.json",
            description="API JSON theo trang, theo liên kết next · Paged JSON API, following next_url",
        ),
    ]
    return [dict(item, position=position) for position, item in enumerate(items)]


def package(entry: dict, base: str, dates: dict, contact: dict, themes: dict) -> dict:
    """One dataset as package_show returns it."""
    known = dates.get(entry["id"]) or {}
    modified = known.get("modified") or entry["release"].get("modified") or ""
    issued = known.get("issued") or modified
    theme = themes.get(entry["theme_id"]) or {}
    tags = [
        {"id": name, "name": name, "display_name": name, "state": "active", "vocabulary_id": None}
        for name in tag_names(entry)
    ]
    org, grp = organization(entry), group(entry)
    extras = {
        "identifier": f"{base}/datasets/{entry['id']}",
        "title_en": entry["title_en"],
        "notes_en": entry["description_en"],
        "theme": f"{v.DATA_THEME}/{theme['eu']}" if theme else "",
        "national_theme": (theme.get("national") or {}).get("vi", ""),
        "spatial_uri": v.PROVINCE,
        "temporal_start": entry["temporal_start"],
        "temporal_end": entry["temporal_end"],
        "frequency": f"{v.FREQUENCY}/{v.FREQUENCIES[entry['update_frequency']]}"
        if entry["update_frequency"] in v.FREQUENCIES
        else "",
        "access_rights": f"{v.ACCESS_RIGHT}/{v.ACCESS_RIGHTS[entry['access']]}",
        "language": "vi, en",
        "issued": issued,
        "modified": modified,
        "approval_decision": entry["approval_decision"],
    }
    items = resources(entry, base, modified)
    return {
        "id": entry["id"],
        "name": entry["id"],
        "title": entry["title_vi"],
        "notes": entry["description_vi"] or entry["title_vi"],
        "url": f"{base}/datasets/{entry['id']}",
        "type": "dataset",
        "state": "active",
        "private": entry["access"] != "public",
        "isopen": True,
        "author": entry["publisher"],
        "author_email": None,
        "maintainer": contact["name"] or entry["publisher"],
        "maintainer_email": contact["email"] or None,
        "license_id": licence(entry["licence"])["id"],
        "license_title": licence(entry["licence"])["title"],
        "license_url": v.licence_page(entry["licence"]),
        "metadata_created": issued,
        "metadata_modified": modified,
        "version": None,
        "owner_org": org["id"] if org else None,
        "organization": org,
        "groups": [grp] if grp else [],
        "tags": tags,
        "num_tags": len(tags),
        "resources": items,
        "num_resources": len(items),
        "extras": [{"key": key, "value": value} for key, value in extras.items() if value],
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }
