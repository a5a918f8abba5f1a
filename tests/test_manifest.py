"""The manifest and spec schemas: every malformed entry is named with its field."""

from __future__ import annotations

import pytest

from scripts.build.spec.manifest import ManifestError, load_manifest, load_spec


def test_valid_manifest_loads(data_dir):
    manifest = load_manifest(data_dir / "manifest.yml")
    entry = manifest.datasets[0]
    assert entry.approved and entry.access == "public"
    assert manifest.publisher(entry).en == "Department of Science and Technology"


@pytest.mark.parametrize(
    "old, new, message",
    [
        ('decision: "46/KH-UBND"', 'decision: "kế hoạch 46"', r"dataset 'tasks' \(entry 1\) field 'approval.decision'"),
        ("access: public", "access: secret", r"field 'access'"),
        ("publisher: so-khcn", "publisher: so-xyz", r"unknown publisher 'so-xyz'"),
        ("    licence: CC-BY-4.0\n", "", r"field 'licence': Field required"),
        ("    synthetic: true\n", "    synthetic: true\n    colour: red\n", r"field 'colour': Extra inputs"),
        ("date: 2023-02-19", "date: 2023-02-30", r"field 'approval.date'"),
    ],
)
def test_malformed_entries_are_named(data_dir, old, new, message):
    path = data_dir / "manifest.yml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    with pytest.raises(ManifestError, match=message):
        load_manifest(path)


def test_yaml_syntax_error_has_line_and_column(tmp_path):
    path = tmp_path / "manifest.yml"
    path.write_text("datasets:\n  - id: [unclosed\n", encoding="utf-8")
    with pytest.raises(ManifestError, match=r"manifest.yml:3:1: YAML syntax error"):
        load_manifest(path)


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("facets: [unit, done]", "facets: [unit, owner]", r"field 'facets' names unknown columns \['owner'\]"),
        ("type: code, width: 3,", "type: code,", r"needs a 'width'"),
        ('role: attribute,\n     label: {vi: "Tên"', 'role: secret,\n     label: {vi: "Tên"', r"columns.1.role"),
    ],
)
def test_malformed_specs_are_named(data_dir, old, new, message):
    path = data_dir / "specs" / "tasks.yml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(ManifestError, match=message):
        load_spec(path, "tasks")
