"""Independent, named random streams so that one file's draws never shift another's."""

import zlib

import numpy as np


def stream(seed: int, name: str) -> np.random.Generator:
    """Return the generator for `name`; the same seed and name always give the same draws."""
    # crc32 rather than hash(): Python salts str hashes per process, which would break determinism.
    return np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(name.encode("utf-8"))]))
