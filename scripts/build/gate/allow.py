"""Reviewed exceptions a dataset spec declares: values that look personal but are not."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class AllowRule:
    """Values of `column` (or of every column for '*') that fully match `pattern` are not findings."""

    column: str
    pattern: str
    reason: str

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValueError(f"allow rule for column '{self.column}' needs a reason")
        try:
            re.compile(self.pattern)
        except re.error as error:
            raise ValueError(f"allow rule for column '{self.column}': bad pattern {self.pattern!r}: {error}") from None

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """The compiled pattern."""
        return re.compile(self.pattern)

    def applies_to(self, column: str) -> bool:
        """Whether the rule covers the column."""
        return self.column in ("*", column)


def allowed_values(texts: pd.Series, rules: Sequence[AllowRule]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Which texts some rule allows, and for each rule which texts it allows."""
    per_rule = [texts.str.fullmatch(rule.regex).to_numpy(dtype=bool, na_value=False) for rule in rules]
    return np.logical_or.reduce(per_rule), per_rule
