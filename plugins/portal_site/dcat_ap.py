"""The catalogue as a DCAT-AP 3.0 JSON-LD document (plugins/dcat.py serves it, and rdflib's Turtle and RDF/XML of it).

Every controlled-vocabulary value is an IRI of its authority table, typed and placed in its scheme in the document
itself (skos:inScheme, the class DCAT-AP's ranges name), so that a validator needs no download of the EU tables.
"""

from __future__ import annotations

from . import catalogue, table_files
from . import vocabularies as v

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def texts(vi: str, en: str = "") -> list[dict]:
    """A literal in Vietnamese, and in English when there is one."""
    return [{"@value": vi, "@language": "vi"}] + ([{"@value": en, "@language": "en"}] if en else [])


def concept(iri: str, scheme: str, label: str, *types: str) -> dict:
    """A value of a controlled vocabulary: its IRI, the classes DCAT-AP expects of it and its scheme."""
    return {
        "@id": iri,
        "@type": ["skos:Concept", *types],
        "skos:prefLabel": {"@value": label, "@language": "en"},
        "skos:inScheme": scheme_node(scheme),
    }


def scheme_node(scheme: str) -> dict:
    return {
        "@id": scheme,
        "@type": "skos:ConceptScheme",
        "dct:title": {"@value": v.SCHEME_TITLES.get(scheme, scheme), "@language": "en"},
    }


def when(value: str) -> dict:
    """A date or a date and time, typed as DCAT-AP's temporal literals require."""
    return {"@value": value, "@type": "xsd:dateTime" if "T" in value else "xsd:date"}


def languages() -> list[dict]:
    return [
        concept(f"{v.LANGUAGE}/{code}", v.LANGUAGE, en, "dct:LinguisticSystem") for code, _, en in v.LANGUAGES.values()
    ]


def licence(name: str) -> dict:
    known = v.LICENCES.get(name)
    node = {"@id": v.licence_iri(name), "@type": "dct:LicenseDocument"}
    if known:
        node["dct:title"] = {"@value": known[1], "@language": "en"}
        node["foaf:page"] = {"@id": known[2], "@type": "foaf:Document"}
    return node


def spatial() -> list[dict]:
    province = {"@id": v.PROVINCE, "@type": "dct:Location", "skos:prefLabel": texts(*v.PROVINCE_NAME)}
    country = concept(v.VIETNAM, v.COUNTRY, "Viet Nam", "dct:Location")
    return [province, country]


def agent(iri: str, vi: str, en: str) -> dict:
    """A publisher: a regional authority of the province."""
    kind = concept(v.REGIONAL_AUTHORITY, v.PUBLISHER_TYPE, "Regional authority")
    return {"@id": iri, "@type": ["foaf:Agent", "foaf:Organization"], "foaf:name": texts(vi, en), "dct:type": kind}


def contact_point(name: str, email: str, base: str) -> dict:
    node = {"@type": ["vcard:Kind", "vcard:Organization"], "vcard:fn": name, "vcard:hasURL": {"@id": base + "/"}}
    if email:
        node["vcard:hasEmail"] = {"@id": f"mailto:{email}"}
    return node


def distribution(entry: dict, base: str, kind: str, licence_node: dict, rights: dict, service: str) -> dict:
    """CSV: the whole table (every row, not a page), the release's file with its size for a public
    dataset, the streamed CSV for a restricted one; XLSX: the release's file (public datasets); JSON: the paged
    API, so an access URL only."""
    table = base + entry["table_url"]
    file_type, media = v.FORMATS[kind]
    node = {
        "@id": f"{base}/datasets/{entry['id']}#{kind.lower()}",
        "@type": "dcat:Distribution",
        "dct:title": texts(f"{entry['title_vi']} ({kind})", f"{entry['title_en']} ({kind})"),
        "dcat:accessURL": {"@id": table},
        "dct:format": concept(f"{v.FILE_TYPE}/{file_type}", v.FILE_TYPE, kind, "dct:MediaTypeOrExtent"),
        "dcat:mediaType": {"@id": v.IANA + media, "@type": "dct:MediaType"},
        "dct:license": licence_node,
        "dct:rights": rights,
    }
    if kind == "CSV":
        download = catalogue.csv_download(entry, base)
        node["dcat:downloadURL"] = {"@id": download["url"]}
        if download["bytes"] is not None:
            node["dcat:byteSize"] = {"@value": str(download["bytes"]), "@type": "xsd:nonNegativeInteger"}
    elif kind == "XLSX":  # the release's file, public datasets only
        download = table_files.file_download(entry, base, "xlsx")
        node["dcat:downloadURL"] = {"@id": download["url"]}
        node["dcat:byteSize"] = {"@value": str(download["bytes"]), "@type": "xsd:nonNegativeInteger"}
    else:
        node["dcat:accessService"] = {"@id": service}
    return node


def dataset(entry: dict, base: str, themes: dict, dates: dict, contact: dict, service: str) -> dict:
    """One dcat:Dataset with its CSV and JSON distributions."""
    page = f"{base}/datasets/{entry['id']}"
    licence_node = licence(entry["licence"])
    access = v.ACCESS_RIGHTS[entry["access"]]
    rights = concept(f"{v.ACCESS_RIGHT}/{access}", v.ACCESS_RIGHT, access.title(), "dct:RightsStatement")
    theme = themes.get(entry["theme_id"]) or {}
    publisher_iri = f"{base}/publishers/{entry['publisher_id'] or 'portal'}"
    keywords = [{"@value": k.strip(), "@language": "vi"} for k in (entry["keywords"] or "").split(";") if k.strip()]
    keywords += [{"@value": entry["theme_en"], "@language": "en"}] if entry["theme_en"] else []
    node = {
        "@id": page,
        "@type": "dcat:Dataset",
        "dct:identifier": entry["id"],
        "dct:title": texts(entry["title_vi"], entry["title_en"]),
        "dct:description": texts(entry["description_vi"] or entry["title_vi"], entry["description_en"]),
        "dct:publisher": agent(publisher_iri, entry["publisher"], entry["publisher_en"]),
        "dcat:contactPoint": contact_point(contact["name"] or entry["publisher"], contact["email"], base),
        "dcat:keyword": keywords,
        "dcat:landingPage": {"@id": page, "@type": "foaf:Document"},
        "dct:language": languages(),
        "dct:spatial": spatial(),
        "dct:accessRights": rights,
        "dct:license": licence_node,
        "dcat:distribution": [
            distribution(entry, base, kind, licence_node, rights, service)
            for kind in v.FORMATS
            if kind != "XLSX" or table_files.file_download(entry, base, "xlsx")
        ],
    }
    known = dates.get(entry["id"]) or {}
    modified = known.get("modified") or entry["release"].get("modified")
    if known.get("issued"):
        node["dct:issued"] = when(known["issued"])
    if modified:
        node["dct:modified"] = when(modified)
    if theme:
        label = v.EU_THEMES[theme["eu"]]
        node["dcat:theme"] = concept(f"{v.DATA_THEME}/{theme['eu']}", v.DATA_THEME, label)
    if entry["temporal_start"]:
        node["dct:temporal"] = {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": when(entry["temporal_start"]),
            "dcat:endDate": when(entry["temporal_end"]),
        }
    if entry["update_frequency"] in v.FREQUENCIES:
        code = v.FREQUENCIES[entry["update_frequency"]]
        node["dct:accrualPeriodicity"] = concept(
            f"{v.FREQUENCY}/{code}", v.FREQUENCY, entry["update_frequency"], "dct:Frequency"
        )
    return node


def data_service(base: str, entries: list[dict], licence_name: str, title: tuple[str, str]) -> dict:
    """The portal's API: Datasette's JSON and CSV endpoints, described by /openapi.json."""
    return {
        "@id": f"{base}/api",
        "@type": "dcat:DataService",
        "dct:title": texts(f"API của {title[0]}", f"API of the {title[1]}" if title[1] else ""),
        "dcat:endpointURL": {"@id": base + "/"},
        "dcat:endpointDescription": {"@id": f"{base}/openapi.json"},
        "dcat:landingPage": {"@id": f"{base}/api", "@type": "foaf:Document"},
        "dct:license": licence(licence_name),
        "dct:accessRights": concept(f"{v.ACCESS_RIGHT}/PUBLIC", v.ACCESS_RIGHT, "Public", "dct:RightsStatement"),
        "dcat:servesDataset": [{"@id": f"{base}/datasets/{entry['id']}"} for entry in entries],
    }


def document(datasette, base: str, entries: list[dict], dates: dict) -> dict:
    """The whole catalogue: portal, API and every dataset in `entries`."""
    title = catalogue.portal_titles(datasette)
    licence_name = next((e["licence"] for e in entries), "CC-BY-4.0")
    issued = sorted(d["issued"] for d in dates.values() if d.get("issued"))
    modified = sorted(d["modified"] for d in dates.values() if d.get("modified"))
    service = f"{base}/api"
    node = {
        "@context": CONTEXT,
        "@id": f"{base}/catalog",
        "@type": "dcat:Catalog",
        "dct:title": texts(*title),
        "dct:description": texts(*catalogue.portal_descriptions(datasette)),
        "dct:publisher": agent(f"{base}/publishers/portal", *catalogue.portal_publisher(datasette)),
        "dct:language": languages(),
        "dct:spatial": spatial(),
        "dct:license": licence(licence_name),
        "foaf:homepage": {"@id": base + "/", "@type": "foaf:Document"},
        "dcat:themeTaxonomy": scheme_node(v.DATA_THEME),
        "dcat:service": data_service(base, entries, licence_name, title),
        "dcat:dataset": [
            dataset(entry, base, v.themes(datasette), dates, v.dataset_contact(datasette, entry), service)
            for entry in entries
        ],
    }
    if issued:
        node["dct:issued"] = when(issued[0])
    if modified:
        node["dct:modified"] = when(modified[-1])
    return node
