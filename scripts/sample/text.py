"""Vectorised rendering of numbers into fixed-width digit strings."""

import numpy as np


def digit_matrix(values: np.ndarray, width: int) -> np.ndarray:
    """Return an (n, width) uint8 array of ASCII digits of `values`, zero-padded on the left."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((np.asarray(values, dtype=np.int64)[:, None] // powers) % 10 + ord("0")).astype(np.uint8)


def join_bytes(parts: list[np.ndarray], rows: int) -> np.ndarray:
    """Concatenate byte columns (matrices, or single literal bytes) into an object array of str."""
    blocks = []
    for part in parts:
        if isinstance(part, bytes):
            part = np.frombuffer(part, dtype=np.uint8)[None, :].repeat(rows, axis=0)
        blocks.append(part)
    matrix = np.ascontiguousarray(np.hstack(blocks)) if rows else np.zeros((0, 1), dtype=np.uint8)
    width = matrix.shape[1]
    return matrix.view(f"S{width}").ravel().astype(f"U{width}").astype(object)


def zero_pad(values: np.ndarray, width: int) -> np.ndarray:
    """Render integers as zero-padded strings of `width` digits."""
    return join_bytes([digit_matrix(values, width)], len(values))


def plain(values: np.ndarray) -> np.ndarray:
    """Render integers without padding."""
    return np.asarray(values, dtype=np.int64).astype(str).astype(object)


def lookup(table: list[str] | np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Map integer codes to strings of `table`."""
    return np.asarray(table, dtype=object)[codes]
