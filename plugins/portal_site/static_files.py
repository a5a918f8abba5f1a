"""The static files of Datasette, its plugins and the portal, each also under a name carrying its content's hash.

`/static/portal.css` is also `/static/portal.<hash>.css`: the pages link to the hashed name, which can be cached
for a year as immutable, since new content gets a new name; the plain name is still answered (scripts that load
files by their plain name, bookmarks), cached for minutes only. Files are read once, at the first request for them,
and their gzip kept in memory: all of them, Datasette's, the chart and map plugins' and the portal's, come to a few
megabytes.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import mimetypes
import weakref
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from . import compat

HASH_LENGTH = 10
IMMUTABLE = b"public, max-age=31536000, immutable"
# A plain name may hold other content after the next deployment, so it is kept for no longer than a page (300 s).
PLAIN = b"public, max-age=300"
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
SMALLEST_COMPRESSED = 512  # below one packet, gzip's header and a round of CPU buy nothing


@dataclass
class Asset:
    path: Path
    content_type: str
    digest: str

    @functools.cached_property
    def body(self) -> bytes:
        return self.path.read_bytes()

    @functools.cached_property
    def gzipped(self) -> bytes | None:
        """The gzip of the file, or None when compressing it is not worth it (images, tiny files)."""
        if not self.content_type.startswith(COMPRESSIBLE) or len(self.body) < SMALLEST_COMPRESSED:
            return None
        packed = gzip.compress(self.body, compresslevel=9, mtime=0)
        return packed if len(packed) < len(self.body) else None


def hashed_name(url: str, digest: str) -> str:
    """`/static/portal.css` -> `/static/portal.<digest>.css` (the digest before the last suffix)."""
    path = PurePosixPath(url)
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


def _content_type(path: Path) -> str:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if kind == "text/javascript":
        kind = "application/javascript"
    return f"{kind}; charset=utf-8" if kind.startswith(COMPRESSIBLE[:2]) or kind.endswith(("json", "xml")) else kind


class StaticFiles:
    """Every static file under its plain and its hashed URL."""

    def __init__(self, mounts: list[tuple[str, str]]):
        self.plain: dict[str, Asset] = {}
        self.hashed: dict[str, Asset] = {}
        for prefix, directory in mounts:
            root = Path(directory)
            for path in sorted(root.rglob("*")) if root.is_dir() else ():
                if not path.is_file() or any(part.startswith(".") for part in path.relative_to(root).parts):
                    continue
                url = prefix + path.relative_to(root).as_posix()
                digest = hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_LENGTH]
                asset = Asset(path, _content_type(path), digest)
                self.plain.setdefault(url, asset)
                self.hashed.setdefault(hashed_name(url, digest), asset)
        self.prefixes = tuple(dict.fromkeys(prefix for prefix, _ in mounts))

    def url(self, url: str) -> str:
        """The hashed URL of a static file given by its plain URL (its query string dropped); any other URL as it
        is."""
        asset = self.plain.get(url.partition("?")[0])
        return hashed_name(url.partition("?")[0], asset.digest) if asset else url

    def find(self, path: str) -> tuple[Asset, bool] | None:
        """The file at a URL path and whether the name is hashed (immutable), or None."""
        if path in self.hashed:
            return self.hashed[path], True
        if path in self.plain:
            return self.plain[path], False
        return None


_indexes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def static_files(datasette) -> StaticFiles:
    """The static files a Datasette instance serves, listed once (its plugins are all loaded by its first page)."""
    if datasette not in _indexes:
        _indexes[datasette] = StaticFiles(compat.static_directories(datasette))
    return _indexes[datasette]


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header allows gzip (`gzip;q=0` refuses it)."""
    for item in accept_encoding.lower().split(","):
        name, _, params = item.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            q = params.strip().removeprefix("q=")
            try:
                return float(q) > 0 if params.strip().startswith("q=") else True
            except ValueError:
                return False
    return False
