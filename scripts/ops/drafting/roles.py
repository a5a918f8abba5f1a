"""A role suggested for each column from what the gate finds in its values and what its header says, with the
evidence as shares and pattern names (never a value)."""

from __future__ import annotations

from typing import NamedTuple

from scripts.ops.drafting.headers import Topic
from scripts.ops.drafting.measures import ColumnMeasures

# Shares of a column's values above which they are taken to be what the detector says.
IDENTIFYING = 0.5  # the gate's identifiers (IDs, phones, e-mails, cards, known names and addresses)
NAME_SHAPED = 0.8  # Vietnamese full names, known to the portal or not
COMMUNES = 0.9
SEX = 0.9
# Free text in a file about people: values mostly distinct and this many words long on average.
PROSE_WORDS = 6

# What each gate kind is, as evidence reads it.
KINDS = {
    "citizen_id": "12-digit citizen IDs",
    "old_id_card": "9-digit ID card numbers",
    "mobile_phone": "mobile phone numbers",
    "landline": "landline numbers",
    "email": "e-mail addresses",
    "health_insurance": "health-insurance card numbers",
    "social_insurance": "social-insurance numbers",
    "tax_code": "personal tax codes",
    "passport": "passport numbers",
    "bank_card": "bank card numbers",
    "imei": "IMEIs",
    "person_name": "names of people in the portal's sources",
    "address": "house-level addresses of people in the portal's sources",
}


class Suggestion(NamedTuple):
    role: str
    evidence: str


def share(part: int, whole: int) -> str:
    """A share to the percent that never rounds a few values away to 0% or a few exceptions up to 100%."""
    if not whole or not part:
        return "0%"
    exact = 100 * part / whole
    if part == whole:
        return "100%"
    return "<1%" if exact < 1 else ">99%" if exact > 99 else f"{exact:.0f}%"


def values(m: ColumnMeasures) -> str:
    """'10,000 sampled values' or '1,998 values': what the shares are of."""
    return f"{m.sampled_present:,}{' sampled' if m.sampled < m.rows else ''} values"


def share_of(part: int, m: ColumnMeasures) -> str:
    return f"{share(part, m.sampled_present)} of {values(m)}"


def gate_findings(m: ColumnMeasures) -> str:
    """What the gate's detectors fire on, largest share first."""
    if not m.sampled_present:
        return f"no value among {m.sampled:,}{' sampled' if m.sampled < m.rows else ''} rows"
    if not m.kinds:
        return f"the gate's detectors fire on none of {values(m)}"
    kinds = sorted(m.kinds.items(), key=lambda item: -item[1])
    found = ", ".join(f"{share(n, m.sampled_present)} hold {KINDS.get(kind, kind)}" for kind, n in kinds[:3])
    return f"of {values(m)}, {found} (gate)"


def identifies(header_topic: Topic | None, m: ColumnMeasures) -> Suggestion | None:
    """direct_identifier when the values or the header say the column points at one person; None otherwise."""
    by_values = bool(m.sampled_present) and m.identified / m.sampled_present >= IDENTIFYING
    by_header = bool(header_topic and header_topic.identifies)
    names = bool(m.sampled_present) and m.name_shaped / m.sampled_present >= NAME_SHAPED and m.mean_words >= 2.5
    if not (by_values or by_header or names):
        return None
    evidence = [f"the header reads as {header_topic.reads_as}"] if by_header else []
    if names:
        evidence.append(
            f"{share_of(m.name_shaped, m)} are shaped like Vietnamese full names (a common surname, then 1 to 5 words)"
        )
    evidence.append(gate_findings(m))
    return Suggestion("direct_identifier", "; ".join(evidence))


def communes(m: ColumnMeasures, province: str) -> str | None:
    """Evidence that the values are the province's communes, by code or by name."""
    for count, what in ((m.commune_codes, "codes"), (m.commune_names, "names")):
        if m.sampled_present and count / m.sampled_present >= COMMUNES:
            return f"{share_of(count, m)} are commune {what} of {province}"
    return None


TRAITS = ("birth", "sex", "ethnicity", "person")  # header topics only a person has


def trait(header_topic: Topic | None, m: ColumnMeasures) -> str | None:
    """Evidence that the column is a trait of a person (birth, sex, ethnicity ...), or None."""
    if header_topic and header_topic.key in TRAITS:
        return f"the header reads as {header_topic.reads_as}"
    if m.sampled_present and m.sex_words / m.sampled_present >= SEX:
        return f"{share_of(m.sex_words, m)} name a sex"
    return None


def suggest(
    header_topic: Topic | None, m: ColumnMeasures, column_type: str, about_people: str | None, province: str
) -> Suggestion:
    """The role of a column that identifies no one by itself; `about_people` says why the file is about people,
    None when it is not (a list of offices, a table of counts)."""
    about = about_people or "no column identifies a person or is a trait of one: the file is not about people"
    topic = header_topic.key if header_topic else None
    heading = f"the header reads as {header_topic.reads_as}" if header_topic else None
    findings = gate_findings(m)
    if topic == "sensitive":
        return Suggestion("sensitive", f"{heading}; {findings}")
    if reason := trait(header_topic, m):
        return Suggestion("quasi_identifier", f"{reason}; {findings}")
    place = communes(m, province) or (heading if topic == "commune" else None)
    if place:
        return Suggestion("quasi_identifier" if about_people else "attribute", f"{place}; {about}")
    if column_type == "date" and about_people:
        return Suggestion("quasi_identifier", f"its values are dates of events in people's lives; {about}")
    if m.kinds:
        return Suggestion("free_text", f"{findings}: text that can name people, not a column of identifiers")
    if topic == "notes":
        return Suggestion("free_text" if about_people else "attribute", f"{heading}; {findings}; {about}")
    if about_people and column_type == "text" and m.distinct > m.sampled_present / 2 and m.mean_words >= PROSE_WORDS:
        return Suggestion(
            "free_text",
            f"{m.mean_words:.0f} words a value on average, "
            f"{share(m.distinct, m.sampled_present)} distinct: written text; {about}",
        )
    if not m.present:
        return Suggestion(
            "attribute", f"every one of the {m.rows:,} values is empty; the header names nothing personal"
        )
    return Suggestion(
        "attribute",
        f"{findings}; the header names nothing personal ({m.distinct:,} distinct value{'s' if m.distinct > 1 else ''})",
    )
