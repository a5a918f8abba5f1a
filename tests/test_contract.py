"""What the build writes and the portal reads is spelled in one place: plugins/portal_site/contract.py."""

import re
from pathlib import Path

from plugins.portal_site import contract

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "plugins" / "portal_site" / "contract.py"
SPELLED_ONCE = [
    contract.RESTRICTED_TIER_CONFIG,
    contract.CATALOGUE_CONFIG,
    contract.ORDERED_COLUMNS,
    contract.DISCLOSURE_TABLE,
    contract.HISTORY_TABLE,
    contract.SEARCH_TABLE,
    contract.SEARCH_VALUES_TABLE,
    contract.DOWNLOAD_FORMATS,
    *(licence.page for licence in contract.LICENCES.values()),
    *(licence.page_vi for licence in contract.LICENCES.values()),
]


def test_no_module_spells_the_contract_again():
    code = [
        path
        for pattern in ("plugins/**/*.py", "scripts/**/*.py", "templates/**/*.html")
        for path in ROOT.glob(pattern)
        if path != CONTRACT
    ]
    found = {}
    for path in code:
        text = path.read_text(encoding="utf-8")
        for name in SPELLED_ONCE:
            if re.search(rf"[\"']{re.escape(name)}[\"']", text):
                found.setdefault(str(path.relative_to(ROOT)), []).append(name)
    assert not found, found


def test_every_licence_and_frequency_says_what_the_catalogues_need():
    for licence in contract.LICENCES.values():
        assert licence.page.startswith("https://") and licence.page_vi.startswith("https://") and licence.eu_code
    for frequency in contract.FREQUENCIES.values():
        assert frequency.vi and frequency.en and frequency.eu_code
