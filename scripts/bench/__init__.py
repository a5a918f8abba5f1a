"""`make bench`: the build and the served portal measured against plain pandas and default Datasette on one data set.

One module per concern: `sample` (the cached input), `measure` (a process's time and peak memory), `build_time`
and `plain_load` (the build against `read_csv` + `to_sql`), `naive` and `servers` (the portal and the baseline
server), `mix` (the query mix, sent by the project's load generator, `scripts/load.py`), `stats` (percentiles and a
run's figures), `direct` (the same SQL in SQLite), `isolation` and `abuse` (one abusive client against ordinary ones),
`machine`, `targets` and `report`, and `run`, which ties them together.
"""
