"""What the gate found: one finding per flagged cell and kind, capped per column, with totals."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scripts.build.gate.allow import AllowRule


def mask(value: str) -> str:
    """The value with all but at most its first 3 and last 2 characters replaced by '*'."""
    n = len(value)
    head, tail = min(3, n // 3), min(2, n // 5)
    return value[:head] + "*" * (n - head - tail) + (value[n - tail :] if tail else "")


@dataclass(frozen=True)
class Finding:
    """One cell that holds personal data of one kind; masked shows the matched text, never all of it."""

    table: str
    column: str
    row: int  # 1-based position in the scanned frame
    kind: str
    masked: str

    def __str__(self) -> str:
        return f"{self.table}.{self.column} row {self.row}: {self.kind} {self.masked}"


@dataclass(frozen=True)
class ScanReport:
    """The findings of one table: at most `limit` samples per (column, kind), and every hit counted."""

    table: str
    findings: tuple[Finding, ...] = ()
    counts: Mapping[tuple[str, str], int] = field(default_factory=dict)  # (column, kind) -> flagged rows
    allowed: Mapping[AllowRule, int] = field(default_factory=dict)  # rule -> rows it exempted

    @property
    def ok(self) -> bool:
        """Whether nothing was found, so the table may be published."""
        return not self.counts

    @property
    def total(self) -> int:
        """How many (cell, kind) hits there were, shown or not."""
        return sum(self.counts.values())

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def lines(self) -> list[str]:
        """Readable lines: every sample finding, then how many more each (column, kind) had."""
        shown: dict[tuple[str, str], int] = {}
        for finding in self.findings:
            shown[finding.column, finding.kind] = shown.get((finding.column, finding.kind), 0) + 1
        lines = [str(finding) for finding in self.findings]
        for (column, kind), count in self.counts.items():
            if count > shown.get((column, kind), 0):
                lines.append(f"{self.table}.{column}: {count - shown.get((column, kind), 0)} more {kind} not shown")
        return lines

    def __str__(self) -> str:
        return "\n".join(self.lines()) or f"{self.table}: no personal data found"
