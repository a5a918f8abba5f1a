"""Each publisher's mailbox from the manifest, carried into the release's metadata (plugin `portal-catalogue`) so
that every dataset's page and catalogue entries name its own contact point."""

from __future__ import annotations

import copy

from plugins.portal_site.contract import CATALOGUE_CONFIG, PUBLISHER_EMAILS
from scripts.build.spec.manifest import Manifest


def with_contacts(portal_metadata: dict, manifest: Manifest) -> dict:
    """The portal metadata with publisher id → e-mail under the catalogue plugin's configuration (publishers
    without an address are left out: the portal-wide contact stands in for them)."""
    emails = {publisher.id: publisher.email for publisher in manifest.publishers if publisher.email}
    merged = copy.deepcopy(portal_metadata)
    if emails:
        merged.setdefault("plugins", {}).setdefault(CATALOGUE_CONFIG, {})[PUBLISHER_EMAILS] = emails
    return merged
