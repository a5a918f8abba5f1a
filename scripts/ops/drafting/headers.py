"""What a column's header says it holds, read on its folded words ('Số CCCD' and 'so cccd' read alike)."""

from __future__ import annotations

import re
from typing import NamedTuple

from scripts.build.gate.words import fold


class Topic(NamedTuple):
    """What a header names, how an admin would say it, and whether it makes a column a direct identifier."""

    key: str
    reads_as: str
    identifies: bool = False


# Folded header patterns, first match wins: 'Số định danh cá nhân chủ thuê bao' is an ID, not a phone.
_TOPICS: list[tuple[str, Topic]] = [
    (
        r"\bho (va )?ten\b|\bfull name\b|\bten (cong dan|nguoi [a-z ]+|chu ho|benh nhan|hoc sinh|can bo)\b",
        Topic("name", "a person's name", identifies=True),
    ),
    (
        (
            r"\b(so|ma) dinh danh\b|\bdinh danh ca nhan\b|\bcccd\b|\bcmnd\b|\bcmt\b|\bcan cuoc\b|\bchung minh\b"
            r"|\bho chieu\b|\bpassport\b|\bma so thue\b|\bmst\b|\bbhxh\b|\bbhyt\b|\bso the\b|\bso tai khoan\b|\bimei\b"
        ),
        Topic("identifier", "an identity, insurance, tax, card or account number", identifies=True),
    ),
    (
        r"\b(so )?dien thoai\b|\bsdt\b|\bdi dong\b|\bso thue bao\b|\be ?mail\b|\bthu dien tu\b|\bzalo\b|\bphone\b",
        Topic("contact", "a phone number or e-mail address", identifies=True),
    ),
    (
        r"\bdia chi\b|\bnoi o\b|\bcho o\b|\bnoi (thuong|tam) tru\b|\baddress\b",
        Topic("address", "an address", identifies=True),
    ),
    # Only the whole header: 'Số hồ sơ tiếp nhận 6 tháng đầu năm' counts dossiers, it does not number one.
    (r"^(so|ma) (ho so|bien nhan)$", Topic("dossier", "a dossier number (one person's application)", identifies=True)),
    (r"\bngay sinh\b|\bnam sinh\b|\bthang sinh\b|\btuoi\b|\bbirth\b", Topic("birth", "a date or year of birth")),
    (r"\bgioi tinh\b|\bsex\b|\bgender\b", Topic("sex", "sex")),
    # Ethnic origin is sensitive data under Decree 13/2023/ND-CP; the portal groups people by it as a quasi-identifier.
    (r"\bdan toc\b|\bethnic", Topic("ethnicity", "ethnicity (sensitive data under Decree 13/2023/ND-CP)")),
    (
        r"\bquoc tich\b|\bque quan\b|\bnoi sinh\b|\bnghe nghiep\b|\btrinh do\b|\bhon nhan\b",
        Topic("person", "a trait of a person (nationality, home town, birthplace, occupation, education, marriage)"),
    ),
    (
        (
            r"\bton giao\b|\bbenh\b(?! vien)|\bchan doan\b|\bsuc khoe\b|\bkhuyet tat\b|\btien an\b|\bthu nhap\b"
            r"|\bho ngheo\b|\bdang vien\b"
        ),
        Topic("sensitive", "religion, health, disability, criminal record, income or party membership"),
    ),
    (
        r"\b(ma|ten) xa\b|\bxa phuong\b|\bphuong xa\b|\bdac khu\b|\bcommune\b|\bward\b|\bthon\b|\bto dan pho\b",
        Topic("commune", "a commune or village"),
    ),
    (
        r"\bghi chu\b|\bnhan xet\b|\bnoi dung\b|\bmo ta\b|\by kien\b|\bphan anh\b|\bly do\b|\bnotes?\b",
        Topic("notes", "notes written by hand"),
    ),
]
_COMPILED = [(re.compile(pattern), topic) for pattern, topic in _TOPICS]


def topic_of(header: str) -> Topic | None:
    """What the header names, or None when it names nothing personal."""
    folded = fold(header)
    return next((topic for pattern, topic in _COMPILED if pattern.search(folded)), None)


def names_a_code(header: str) -> bool:
    """Whether the header calls the column a code ('Mã tỉnh'): digits kept as text, leading zeros and all."""
    return fold(header).startswith(("ma ", "code"))
