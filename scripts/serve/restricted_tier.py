"""What serving a release with a restricted tier adds: the tokens database and the metadata that locks the tier."""

from __future__ import annotations

import copy
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from plugins.portal_site.contract import RESTRICTED, RESTRICTED_TIER_CONFIG
from scripts.serve import token_store

RESTRICTED_DATABASE = RESTRICTED
PLUGIN = RESTRICTED_TIER_CONFIG
# datasette-auth-tokens splits `Bearer <token_id>-<token_secret>` at the dash and runs this with :token_id. Our
# token_id is the random secret, so the row is found by its hash; token_secret is the checksum after the dash,
# which the plugin compares. Revocation and expiry are read from the file at every request: no restart needed.
TOKEN_QUERY = (
    "select 'token:' || id as actor_id, agency as actor_agency, datasets as actor_datasets, "
    "portal_token_checksum(:token_id) as token_secret from tokens "
    "where token_hash = portal_token_hash(:token_id) and revoked = 0 "
    f"and expires_at > strftime('{token_store.TIMESTAMP}', 'now')"
)
RESTRICTED_TITLE = "Dữ liệu hạn chế · Restricted data (partner agencies)"
RESTRICTED_DESCRIPTION = (
    '<p lang="vi">Chỉ dành cho cơ quan đối tác có mã truy cập (API token) còn hiệu lực, và chỉ các tập dữ liệu '
    'ghi trong mã đó.</p><p lang="en">For partner agencies holding a valid API token, and only the datasets '
    "that token names.</p>"
)


@dataclass(frozen=True)
class Tier:
    """The restricted database of a release and the tokens database that opens it."""

    restricted: Path
    tokens: Path

    @property
    def tokens_database(self) -> str:
        return self.tokens.stem  # Datasette names a database after its file


def tier(release: Path, tokens: Path | None = None) -> Tier | None:
    """The release's restricted tier, creating an empty tokens database if there is none yet; None without one."""
    restricted = release / f"{RESTRICTED_DATABASE}.db"
    if not restricted.exists():
        return None
    tokens = tokens or token_store.default_path()
    if tokens.suffix != ".db" or tokens.stem in ("portal", RESTRICTED_DATABASE) or "." in tokens.stem:
        raise SystemExit(f"{tokens}: the tokens database needs its own name ending in .db, e.g. tokens.db")
    return Tier(restricted, token_store.ensure(tokens))


def served_metadata(metadata: dict, restricted: Tier) -> dict:
    """The release's metadata with the restricted tier locked: token actors only, no SQL, tokens database closed."""
    merged = copy.deepcopy(metadata)
    databases = merged.setdefault("databases", {})
    database = databases.setdefault(RESTRICTED_DATABASE, {})
    database.setdefault("title", RESTRICTED_TITLE)
    database.setdefault("description_html", RESTRICTED_DESCRIPTION)
    # plugins/restricted_access.py decides; these blocks keep the tier closed should the plugins not be loaded.
    database.update(allow={"agency": "*"}, allow_sql=False)
    databases[restricted.tokens_database] = {"allow": False, "allow_sql": False}
    plugins = merged.setdefault("plugins", {})
    plugins["datasette-auth-tokens"] = {"query": {"sql": TOKEN_QUERY, "database": restricted.tokens_database}}
    plugins[PLUGIN] = {"database": RESTRICTED_DATABASE, "tokens_database": restricted.tokens_database}
    return merged


def metadata_file(metadata: dict, restricted: Tier) -> Path:
    """The served metadata as a file for `datasette serve`, next to the tokens database, named by its content."""
    text = json.dumps(served_metadata(metadata, restricted), ensure_ascii=False, indent=2)
    path = restricted.tokens.parent / f"metadata-{hashlib.sha256(text.encode()).hexdigest()[:16]}.json"
    if not path.exists():
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    return path
