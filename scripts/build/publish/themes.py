"""data/themes.yml: each manifest theme's EU data theme and data.gov.vn theme group, checked and carried into the
release's metadata (plugin `portal-catalogue`, key `themes`) for the catalogue endpoints to read."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Literal

import yaml
from pydantic import RootModel, ValidationError

from plugins.portal_site.contract import CATALOGUE_CONFIG
from scripts.build.spec.manifest import Bilingual, Manifest, ManifestError, Strict, Vocabulary

FILE = "themes.yml"
PLUGIN = CATALOGUE_CONFIG
# http://publications.europa.eu/resource/authority/data-theme (OP_DATPRO is provisional and not offered).
EuTheme = Literal[
    "AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "INTR", "JUST", "REGI", "SOCI", "TECH", "TRAN"
]


class ThemeMapping(Strict):
    eu: EuTheme
    national: Vocabulary


class ThemeMappings(RootModel[dict[str, ThemeMapping]]):
    pass


def load(data_dir: Path, manifest: Manifest) -> dict[str, dict]:
    """The mapping of every manifest theme; {} when data/ has no themes.yml (a build of a few test datasets)."""
    path = data_dir / FILE
    if not path.exists():
        return {}
    try:
        mappings = ThemeMappings.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {}).root
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ManifestError(f"{path}: theme '{where}': {first['msg']}") from None
    missing = [theme.id for theme in manifest.themes if theme.id not in mappings]
    if missing:
        raise ManifestError(f"{path}: no EU and national theme for manifest theme(s) {', '.join(missing)}")
    labels = {theme.id: Bilingual(vi=theme.vi, en=theme.en) for theme in manifest.themes}
    return {
        theme: {"eu": mapping.eu, "national": mapping.national.model_dump(), **labels[theme].model_dump()}
        for theme, mapping in mappings.items()
        if theme in labels
    }


def with_themes(portal_metadata: dict, themes: dict[str, dict]) -> dict:
    """The portal metadata with the theme mapping under the catalogue plugin's configuration."""
    merged = copy.deepcopy(portal_metadata)
    if themes:
        merged.setdefault("plugins", {}).setdefault(PLUGIN, {})["themes"] = themes
    return merged
