"""What the build hands the gate: the names and addresses its sources hold, from their direct-identifier columns."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from scripts.build.pipeline import BuildFailed, gate
from scripts.build.prepare import SourceData, known_addresses, known_names
from scripts.build.spec.manifest import Spec
from scripts.build.steps import Outcome


def _column(name: str, header: str, role: str, en: str) -> dict:
    return {
        "name": name,
        "header": header,
        "type": "text",
        "role": role,
        "label": {"vi": header, "en": en},
        "description": {"vi": header, "en": en},
    }


SPEC = Spec.model_validate(
    {
        "primary_key": ["full_name"],
        "columns": [
            _column("full_name", "Họ và tên", "direct_identifier", "Full name"),
            _column("address", "Địa chỉ thường trú", "direct_identifier", "Permanent address"),
            _column("noi_o", "Nơi ở hiện tại", "direct_identifier", "Current address"),
            _column("commune_name", "Xã", "quasi_identifier", "Commune"),
        ],
    }
)
FRAME = pd.DataFrame(
    {
        "full_name": ["Nguyễn Văn An", "Trần Thị Lan", None],
        "address": ["Số 74 đường Tô Hiến Thành, Phường Hà Tu", "Thôn Đồng Tâm, Xã Bình Dân", None],
        "noi_o": ["Số 12 đường Trần Phú, Phường Hồng Gai", "Thôn Đồng Tâm", None],
        "commune_name": ["Phường Hà Tu", "Xã Bình Dân", "Phường Hồng Gai"],
    },
    dtype="string",
)


def test_addresses_come_from_address_columns_only():
    assert known_addresses(SourceData(SPEC, FRAME)) == {
        "Số 74 đường Tô Hiến Thành, Phường Hà Tu",
        "Thôn Đồng Tâm, Xã Bình Dân",
        "Số 12 đường Trần Phú, Phường Hồng Gai",
        "Thôn Đồng Tâm",
    }


def test_names_never_come_from_address_columns():
    # 'Thôn Đồng Tâm' looks like a name (two words, no digit, no comma) but is where hundreds of people live.
    assert known_names(SourceData(SPEC, FRAME)) == {"Nguyễn Văn An", "Trần Thị Lan"}


def test_the_build_gate_looks_for_the_sources_addresses():
    table = SimpleNamespace(name="ho_so", frame=pd.DataFrame({"ghi_chu": ["Chuyển đến số 74 Tô Hiến Thành"]}))
    item = SimpleNamespace(table=table, allow=[], entry=SimpleNamespace(id="ho_so"), database="portal")
    gate([item], Outcome())  # without the sources' addresses the note passes
    with pytest.raises(BuildFailed, match="ho_so.ghi_chu row 1: address"):
        gate([item], Outcome(known_addresses=frozenset({"Số 74 đường Tô Hiến Thành, Phường Hà Tu"})))
