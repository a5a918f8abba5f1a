"""Restricted datasets in the portal's catalogue pages: what they show comes from the manifest, as for public ones."""

from __future__ import annotations

import datetime as dt

import pytest

from scripts.build.pipeline import build
from scripts.serve import command as serve
from scripts.serve import token_store
from tests.conftest import CSV, manifest_entry

NOTICE = 'class="synthetic-notice"'


@pytest.fixture
def served(data_dir, portal_metadata, tmp_path):
    """The tiny build with two restricted copies of the tasks table, one official and one synthetic, served with a
    token for every dataset."""
    with open(data_dir / "manifest.yml", "a", encoding="utf-8") as manifest:
        manifest.write(manifest_entry("partner_official", "partner_official", "tasks", "restricted", synthetic=False))
        manifest.write(manifest_entry("partner_sample", "partner_sample", "tasks", "restricted", synthetic=True))
    for dataset in ("partner_official", "partner_sample"):
        (data_dir / "raw" / f"{dataset}.csv").write_text(CSV, encoding="utf-8")
    release, _ = build(data_dir, tmp_path / "build", portal_metadata)
    tokens = tmp_path / "state" / "tokens.db"
    _, token = token_store.create(
        tokens, "Sở Y tế", token_store.ALL_DATASETS, token_store.expiry("2099-12-31", dt.date.today())
    )
    return serve.app(release, tokens), {"Authorization": f"Bearer {token}"}


async def test_a_restricted_dataset_is_marked_synthetic_only_when_its_manifest_entry_says_so(served):
    app, headers = served
    official = await app.client.get("/datasets/partner_official", headers=headers)
    sample = await app.client.get("/datasets/partner_sample", headers=headers)
    assert official.status_code == sample.status_code == 200
    assert NOTICE not in official.text
    assert NOTICE in sample.text
