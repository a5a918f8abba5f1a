"""The restricted tier on the real sample build: pseudonymised tables only in restricted.db, only with a token."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from scripts.serve import command as serve
from scripts.serve import token_store

pytestmark = pytest.mark.slow
RESTRICTED = ["vneid_accounts_pseudonymised", "online_applications_pseudonymised"]


def tables(path) -> set[str]:
    return {r[0] for r in sqlite3.connect(path).execute("select name from sqlite_master where type = 'table'")}


def test_restricted_tables_live_only_in_their_own_file(sample_release):
    assert set(RESTRICTED) <= tables(sample_release.release / "restricted.db")
    assert not set(RESTRICTED) & tables(sample_release.release / "portal.db")
    catalogue = sqlite3.connect(sample_release.release / "portal.db").execute("select id from catalogue").fetchall()
    assert not {row[0] for row in catalogue} & set(RESTRICTED)


@pytest.fixture
def tier(sample_release, tmp_path):
    tokens = tmp_path / "tokens.db"
    expires = token_store.expiry("2099-12-31", dt.date.today())
    _, token = token_store.create(tokens, "Sở Y tế", RESTRICTED[0], expires)
    return serve.app(sample_release.release, tokens), {"Authorization": f"Bearer {token}"}


async def test_a_token_reads_its_dataset_and_nothing_else(tier):
    app, headers = tier
    rows = (await app.client.get(f"/restricted/{RESTRICTED[0]}.json?_shape=array&_size=5", headers=headers)).json()
    assert len(rows) == 5 and len(rows[0]["person_key"]) == 26
    other = await app.client.get(f"/restricted/{RESTRICTED[1]}.json", headers=headers)
    assert other.status_code == 403
    sql = await app.client.get(f"/restricted.json?sql=select+*+from+{RESTRICTED[1]}", headers=headers)
    assert sql.status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        f"/restricted/{RESTRICTED[0]}",
        f"/restricted/{RESTRICTED[0]}.csv",
        "/restricted",
        "/restricted.db",
        f"/portal.json?sql=select+*+from+{RESTRICTED[0]}",
    ],
)
async def test_anonymous_visitors_reach_nothing_restricted(tier, path):
    app, _ = tier
    response = await app.client.get(path)
    assert response.status_code in (400, 403), path
    assert "person_key" not in response.text
