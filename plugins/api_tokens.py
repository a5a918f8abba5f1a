"""The partner-agency API token format, and what datasette-auth-tokens needs to verify it against hashes only."""

import hashlib
import re
import secrets

from datasette import hookimpl

from .portal_site.contract import RESTRICTED_TIER_CONFIG

CONFIG = RESTRICTED_TIER_CONFIG
PREFIX = "odp_"
# datasette-auth-tokens 0.3 splits `Bearer <token_id>-<token_secret>` with split("-", 2), which raises (a 500)
# on two or more dashes, so a token has exactly one: the random secret, then a checksum of it.
TOKEN = re.compile(r"odp_[0-9a-f]{64}-[0-9a-f]{8}")
# What a malformed header is replaced by: the plugin refuses it without a lookup, as it refuses a wrong token.
REFUSED = b"Bearer refused"


def token_hash(secret: str) -> str:
    """The only form in which a token is stored."""
    # The secret carries 256 random bits, so guessing is hopeless and a fast unsalted hash is enough; a slow KDF
    # only matters for secrets people choose. Its hash is also what finds the token row in one index lookup.
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def checksum(secret: str) -> str:
    """Eight hex digits that catch a mistyped or truncated token before any lookup; not a secret."""
    return token_hash(secret)[:8]


def new_token() -> tuple[str, str]:
    """A fresh token to hand to an agency once, and the hash to store instead of it."""
    secret = PREFIX + secrets.token_hex(32)
    return f"{secret}-{checksum(secret)}", token_hash(secret)


def is_well_formed(token: str) -> bool:
    """True when the token has the exact format and its checksum matches."""
    if not TOKEN.fullmatch(token):
        return False
    secret, _, check = token.partition("-")
    return secrets.compare_digest(checksum(secret), check)


def _sql_function(function):
    return lambda value: function(value) if isinstance(value, str) else None


@hookimpl
def prepare_connection(conn, database, datasette):
    # Only the tokens database gets these, so public SQL cannot call them.
    config = datasette.plugin_config(CONFIG) or {}
    if database == config.get("tokens_database"):
        conn.create_function("portal_token_hash", 1, _sql_function(token_hash), deterministic=True)
        conn.create_function("portal_token_checksum", 1, _sql_function(checksum), deterministic=True)


def _authorization(headers: list) -> list:
    values = [value for name, value in headers if name == b"authorization"]
    others = [(name, value) for name, value in headers if name != b"authorization"]
    if len(values) == 1:
        scheme, _, token = values[0].decode("latin-1").partition(" ")
        if scheme == "Bearer" and is_well_formed(token):
            return headers
    # Keep a header, so that caching and Vary treat the request exactly as one with a wrong token.
    return others + [(b"authorization", REFUSED)]


def middleware(datasette):
    """Requests with an Authorization header: what the token store reads (plugins/middleware.py orders it)."""
    if not datasette.plugin_config(CONFIG):
        return lambda app: app

    def wrap(app):
        async def guarded(scope, receive, send):
            headers = scope.get("headers") or []
            if scope["type"] == "http" and any(name == b"authorization" for name, _ in headers):
                scope = dict(scope, headers=_authorization(list(headers)))
            await app(scope, receive, send)

        return guarded

    return wrap
