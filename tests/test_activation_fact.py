"""Accounts are activated only after they are registered: a reader who knows it narrows hidden activation cells
beyond what the tables alone give away. The per-table audit the portal had leaves such cells; the build, told the
fact by the spec's `at_most`, leaves none."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from scripts.build.anonymise.cube import count_cube
from scripts.build.anonymise.suppress import protect
from scripts.build.pipeline import build
from tests.conftest import MANIFEST_HEAD, manifest_entry, write
from tests.joint_attack import JointAttack, disclosed
from tests.test_joint_attack import _frame, attack_release, what_anyone_knows

REGISTERED, ACTIVATED = "vneid_registrations_by_commune_month", "vneid_activations_by_commune_month"
COMMUNES = ["06658", "06661", "06664"]
SOURCE = """\
primary_key: [personal_id]
columns:
  - {name: personal_id, header: "Số định danh", type: code, width: 12, required: true, role: direct_identifier,
     label: {vi: "Số định danh", en: "ID"}, description: {vi: "x", en: "x"}}
  - {name: registered_on, header: "Ngày đăng ký", type: date, required: true, role: quasi_identifier,
     label: {vi: "Ngày đăng ký", en: "Registered"}, description: {vi: "x", en: "x"}}
  - {name: activated_on, header: "Ngày kích hoạt", type: date, role: quasi_identifier,
     label: {vi: "Ngày kích hoạt", en: "Activated"}, description: {vi: "x", en: "x"}}
  - {name: commune_code, header: "Mã xã", type: code, width: 5, required: true, role: quasi_identifier,
     label: {vi: "Mã xã", en: "Commune"}, description: {vi: "x", en: "x"}}
  - {name: identification_level, header: "Mức định danh", type: text, required: true, role: quasi_identifier,
     label: {vi: "Mức", en: "Level"}, description: {vi: "x", en: "x"}}
"""
TABLE = """\
derive:
  kind: aggregate
  source: accounts
  {filter}
  dimensions:
    - {{column: commune_code, categories: {communes}}}
    - {{column: {date}, generalise: month, name: month}}
    - {{column: identification_level, categories: ["Mức 1", "Mức 2"]}}
  count: {{name: accounts, label: {{vi: "Số tài khoản", en: "Accounts"}}, description: {{vi: "x", en: "x"}}}}
  relations: [{{at_most: {{dataset: {registered}, cumulative: activated_on, matching: registered_on}}}}]
"""
# With this seed the fact pins a cell the tables alone do not give away.
SEED = 3


def accounts(rows: int = 700) -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    registered = pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 120, rows), unit="D")
    activated = pd.Series(registered + pd.to_timedelta(rng.integers(0, 40, rows), unit="D")).where(
        rng.random(rows) < 0.85
    )
    return pd.DataFrame(
        {
            "Số định danh": [f"0220{80 + i % 20:02d}{i:06d}" for i in range(rows)],
            "Ngày đăng ký": registered.strftime("%d/%m/%Y"),
            "Ngày kích hoạt": activated.dt.strftime("%d/%m/%Y").fillna(""),
            "Mã xã": rng.choice(COMMUNES, rows, p=[0.6, 0.3, 0.1]),
            "Mức định danh": rng.choice(["Mức 1", "Mức 2"], rows, p=[0.2, 0.8]),
        }
    )


def per_table_attack(source: pd.DataFrame, knows_the_fact: bool) -> pd.DataFrame:
    """Each table protected on its own as the portal did before the joint audit (no hidden cell exact), then
    attacked together."""
    month = lambda column: pd.to_datetime(source[column], format="%d/%m/%Y").dt.strftime("%Y-%m")
    active = source["Ngày kích hoạt"] != ""
    micro = {
        REGISTERED: pd.DataFrame(
            {
                "commune_code": source["Mã xã"],
                "month": month("Ngày đăng ký"),
                "identification_level": source["Mức định danh"],
            }
        ),
        ACTIVATED: pd.DataFrame(
            {
                "commune_code": source["Mã xã"][active],
                "month": month("Ngày kích hoạt")[active],
                "identification_level": source["Mức định danh"][active],
            }
        ),
    }
    attack = JointAttack()
    for name, rows in micro.items():
        dims = list(rows.columns)
        shape, counts = count_cube(rows, dims)
        primary, secondary = protect(shape, counts, 10, 1)
        attack.add_table(
            name,
            _frame(shape, counts, primary | secondary).rename(columns={"events": "accounts"}),
            dims,
            "accounts",
            10,
        )
    if knows_the_fact:
        what_anyone_knows(attack, None)
    return disclosed(attack.ranges())


def release(root: Path) -> Path:
    data = root / "data"
    head = MANIFEST_HEAD.replace("datasets:", "disclosure: {when_targets_unmet: publish_best}\ndatasets:")
    write(data / "manifest.yml", head + manifest_entry(REGISTERED, "accounts") + manifest_entry(ACTIVATED, "accounts"))
    write(data / "specs" / "accounts.yml", SOURCE)
    write(
        data / "specs" / f"{REGISTERED}.yml",
        TABLE.format(filter="", communes=COMMUNES, date="registered_on", registered=REGISTERED).replace(
            "  relations", "#"
        ),
    )
    write(
        data / "specs" / f"{ACTIVATED}.yml",
        TABLE.format(
            filter="filter: [{column: activated_on, present: true}]",
            communes=COMMUNES,
            date="activated_on",
            registered=REGISTERED,
        ),
    )
    (data / "raw").mkdir(parents=True, exist_ok=True)
    accounts().to_csv(data / "raw" / "accounts.csv", index=False, encoding="utf-8-sig")
    published, _ = build(data, root / "build", write(root / "metadata.yml", "title: Cổng\nlicense: CC BY 4.0\n"))
    return published


def test_the_activation_fact_pins_cells_a_per_table_audit_hides_and_the_joint_audit_does_not(tmp_path):
    source = accounts()
    blind, informed = per_table_attack(source, False), per_table_attack(source, True)
    assert len(informed) > len(blind)  # the fact gives away more than the tables alone ...
    after = disclosed(attack_release(release(tmp_path) / "portal.db"))
    assert after.empty, after.to_string()  # ... and nothing once the build audits it
