"""Record when each partner-agency token was last used, at most once a minute, without delaying the request."""

import asyncio
import logging
import time
import weakref

from datasette import hookimpl

from .portal_site.contract import RESTRICTED_TIER_CONFIG

CONFIG = RESTRICTED_TIER_CONFIG
TOKEN_ACTOR_PREFIX = "token:"
INTERVAL_SECONDS = 60
TOUCH = "update tokens set last_used_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') where id = ?"

log = logging.getLogger(__name__)
# Per Datasette instance: token id -> monotonic time of the last write; plugins are shared by every instance.
_written = weakref.WeakKeyDictionary()
_pending = set()


def _token_id(actor) -> int | None:
    actor_id = str(actor.get("id", "")) if isinstance(actor, dict) else ""
    number = actor_id[len(TOKEN_ACTOR_PREFIX) :]
    return int(number) if actor_id.startswith(TOKEN_ACTOR_PREFIX) and number.isdigit() else None


def _report(task: asyncio.Task) -> None:
    _pending.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.warning("could not record a token's last use: %s", task.exception())


@hookimpl
def permission_allowed(datasette, actor, action, resource):
    # Every request a token makes asks at least one permission, and this hook is the one place that sees the actor
    # the token resolved to; it answers nothing, it only notes the use.
    token_id = _token_id(actor)
    config = datasette.plugin_config(CONFIG) if token_id is not None else None
    if not config:
        return
    written = _written.setdefault(datasette, {})
    now = time.monotonic()
    if now - written.get(token_id, float("-inf")) < INTERVAL_SECONDS:
        return
    written[token_id] = now
    # The write goes to the tokens database's own write thread; the request does not wait for it.
    database = datasette.get_database(config["tokens_database"])
    task = asyncio.get_running_loop().create_task(database.execute_write(TOUCH, [token_id]))
    _pending.add(task)
    task.add_done_callback(_report)
    return
