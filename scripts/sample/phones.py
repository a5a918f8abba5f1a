"""Mobile numbers with the carriers' real prefixes, and the many ways people write them."""

import numpy as np

from scripts.sample.text import digit_matrix, join_bytes

# Carrier, market share, and its prefixes (the two digits after the leading 0) with relative weights.
CARRIERS = [
    ("Viettel", 0.54, {86: 4, 96: 10, 97: 10, 98: 12, 32: 5, 33: 5, 34: 5, 35: 5, 36: 5, 37: 5, 38: 5, 39: 5}),
    ("VinaPhone", 0.25, {88: 5, 91: 12, 94: 10, 81: 4, 82: 4, 83: 4, 84: 4, 85: 4}),
    ("MobiFone", 0.17, {89: 5, 90: 12, 93: 10, 70: 4, 76: 4, 77: 4, 78: 4, 79: 4}),
    ("Vietnamobile", 0.03, {92: 6, 56: 3, 58: 3, 52: 1}),
    ("Gmobile", 0.01, {99: 3, 59: 2}),
]
CARRIER_NAMES = [c[0] for c in CARRIERS]
PREFIXES = sorted(p for c in CARRIERS for p in c[2])
_SUBSCRIBER_SPACE = 10**7

# Before the 2018 renumbering these prefixes were 11-digit 01xx numbers; old records still hold them.
LEGACY_PREFIX = {
    32: 162,
    33: 163,
    34: 164,
    35: 165,
    36: 166,
    37: 167,
    38: 168,
    39: 169,
    70: 120,
    79: 121,
    77: 122,
    76: 126,
    78: 128,
    83: 123,
    84: 124,
    85: 125,
    81: 127,
    82: 129,
    56: 186,
    58: 188,
    59: 199,
}

_LEGACY_TABLE = np.zeros(100, dtype=np.int64)
_LEGACY_TABLE[list(LEGACY_PREFIX)] = list(LEGACY_PREFIX.values())

# Spellings: 0912345678 | 0912 345 678 | 091.234.5678 | +84 912 345 678 | 84912345678 | 0168xxxxxxx
STYLES = ("plain", "spaced", "dotted", "international", "country", "legacy")


def draw(rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Return distinct 9-digit national numbers (without the leading 0) and their carrier indices."""
    shares = np.array([c[1] for c in CARRIERS])
    carrier = rng.choice(len(CARRIERS), size=size, p=shares / shares.sum())
    prefix = np.zeros(size, dtype=np.int64)
    for k, (_, _, table) in enumerate(CARRIERS):
        rows = np.flatnonzero(carrier == k)
        codes = np.array(list(table))
        weights = np.array(list(table.values()), dtype=float)
        prefix[rows] = rng.choice(codes, size=len(rows), p=weights / weights.sum())
    numbers = prefix * _SUBSCRIBER_SPACE + rng.integers(0, _SUBSCRIBER_SPACE, size=size)
    while True:
        _, first = np.unique(numbers, return_index=True)
        dup = np.ones(size, dtype=bool)
        dup[first] = False
        if not dup.any():
            return numbers, carrier.astype(np.int8)
        numbers[dup] = prefix[dup] * _SUBSCRIBER_SPACE + rng.integers(0, _SUBSCRIBER_SPACE, size=int(dup.sum()))


def render(numbers: np.ndarray, style: np.ndarray) -> np.ndarray:
    """Write each number in the spelling given by `style` (an index into STYLES)."""
    numbers = np.asarray(numbers, dtype=np.int64)
    out = np.empty(len(numbers), dtype=object)
    prefix = numbers // _SUBSCRIBER_SPACE
    legacy_ok = np.isin(prefix, list(LEGACY_PREFIX))
    style = np.where((style == STYLES.index("legacy")) & ~legacy_ok, 0, style)
    for k, name in enumerate(STYLES):
        rows = np.flatnonzero(style == k)
        if not len(rows):
            continue
        d = digit_matrix(numbers[rows], 9)
        n = len(rows)
        if name == "plain":
            parts = [b"0", d]
        elif name == "spaced":
            parts = [b"0", d[:, :3], b" ", d[:, 3:6], b" ", d[:, 6:]]
        elif name == "dotted":
            parts = [b"0", d[:, :2], b".", d[:, 2:5], b".", d[:, 5:]]
        elif name == "international":
            parts = [b"+84 ", d[:, :3], b" ", d[:, 3:6], b" ", d[:, 6:]]
        elif name == "country":
            parts = [b"84", d]
        else:
            parts = [b"0", digit_matrix(_LEGACY_TABLE[prefix[rows]], 3), d[:, 2:]]
        out[rows] = join_bytes(parts, n)
    return out


def national(numbers: np.ndarray) -> np.ndarray:
    """The ten-digit form carriers use in their registers: 0912345678."""
    return render(numbers, np.zeros(len(numbers), dtype=np.int64))
