"""What a column name, the words before a number, or a column's shape say about the identifiers in it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from scripts.build.gate.digits import citizen_id_valid, phone_kind

# Context names: which bare numbers may be read as which identifier.
ID = "id"  # 9-digit old ID cards, lost-zero citizen IDs
PHONE = "phone"  # lost-zero phone numbers
SOCIAL = "social"  # 10-digit social-insurance numbers (also the new health-insurance code)
TAX = "tax"  # checksummed tax codes
PASSPORT = "passport"  # passport numbers of any series letter
DEVICE = "device"  # 15-digit IMEIs

# Column-name keywords, matched as whole snake_case token sequences on the accent-free name.
_COLUMN_KEYWORDS: dict[str, list[str]] = {
    ID: [
        "cccd",
        "cmnd",
        "cmt",
        "cmtnd",
        "can_cuoc",
        "cancuoc",
        "chung_minh",
        "dinh_danh",
        "id_card",
        "id_number",
        "id_no",
        "identity",
        "national_id",
        "citizen_id",
        "personal_id",
        "giay_to",
    ],
    PHONE: [
        "sdt",
        "so_dt",
        "dien_thoai",
        "dienthoai",
        "phone",
        "mobile",
        "tel",
        "telephone",
        "di_dong",
        "didong",
        "lien_he",
        "contact",
        "hotline",
        "fax",
        "zalo",
        "thue_bao",
    ],
    SOCIAL: ["bhxh", "bhyt", "bao_hiem", "insurance"],
    TAX: ["mst", "ma_so_thue", "masothue", "ma_thue", "tax", "tax_code", "tax_id"],
    PASSPORT: ["ho_chieu", "hochieu", "passport"],
    DEVICE: ["imei"],
}

# Words that, shortly before a number in the same cell, say what it is. Accented and plain spellings both occur.
_TEXT_KEYWORDS: dict[str, re.Pattern[str]] = {
    kind: re.compile(pattern, re.IGNORECASE)
    for kind, pattern in {
        ID: r"\b(?:cmnd|cmt|cmtnd|cccd|id)\b|chứng minh|chung minh|định danh|dinh danh|căn cước|can cuoc"
        r"|giấy tờ tùy thân|giấy tờ tuỳ thân",
        PHONE: r"\b(?:sđt|sdt|tel|phone|mobile|zalo|hotline|fax)\b|điện thoại|dien thoai|di động|di dong",
        SOCIAL: r"\b(?:bhxh|bhyt)\b|bảo hiểm|bao hiem",
        TAX: r"\b(?:mst|tax)\b|mã số thuế|ma so thue",
        PASSPORT: r"\bpassport\b|hộ chiếu|ho chieu",
        DEVICE: r"\bimei\b",
    }.items()
}

# How far before a number its keyword may stand ("Số CMND của ông là 123456789").
TEXT_WINDOW = 40

# A column is taken to hold phones or citizen IDs when this share of its bare digit values reads as one.
SHAPE_SHARE = 0.8
SHAPE_MIN_VALUES = 3
SHAPE_SAMPLE = 2000


def snake(name: str) -> str:
    """An accent-free snake_case form of a column name, so 'Số điện thoại' and 'soDienThoai' compare alike."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    decomposed = unicodedata.normalize("NFD", spaced.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")


def column_context(name: str) -> frozenset[str]:
    """The contexts a column name implies."""
    padded = f"_{snake(name)}_"
    return frozenset(kind for kind, words in _COLUMN_KEYWORDS.items() if any(f"_{w}_" in padded for w in words))


def text_context(text: str, start: int) -> frozenset[str]:
    """The contexts implied by keywords in the words just before position start of a cell."""
    before = unicodedata.normalize("NFC", text[max(0, start - TEXT_WINDOW) : start])
    return frozenset(kind for kind, pattern in _TEXT_KEYWORDS.items() if pattern.search(before))


def shape_context(digit_values: Sequence[str]) -> frozenset[str]:
    """The contexts implied by a column whose bare digit values mostly are phones or citizen IDs, lost zeros restored."""
    sample = digit_values[:SHAPE_SAMPLE]
    if len(sample) < SHAPE_MIN_VALUES:
        return frozenset()
    phones = sum(bool(phone_kind(d) or phone_kind("0" + d)) for d in sample)
    ids = sum(citizen_id_valid(d.zfill(12)) for d in sample)
    found = set()
    if phones >= SHAPE_SHARE * len(sample):
        found.add(PHONE)
    if ids >= SHAPE_SHARE * len(sample):
        found.add(ID)
    return frozenset(found)
