"""The first page of a sorted table gets the primary-key tie-breaker; SQL a visitor wrote is run as written."""

from __future__ import annotations


async def test_a_compound_select_ordered_by_its_alias_runs_as_sqlite_runs_it(portal):
    sql = "select unit as u from tasks where 1 union select 'x' order by u limit 5"
    response = await portal.client.get("/portal.json", params={"sql": sql, "_shape": "array"})
    assert response.status_code == 200, response.text
    assert [row["u"] for row in response.json()] == ["Công an tỉnh", "Sở Khoa học và Công nghệ", "x"]
