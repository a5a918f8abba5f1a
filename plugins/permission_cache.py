"""Each table's `allow` rules worked out once per process, not on every permission check.

Datasette 0.65.5 works them out by deep-copying the whole metadata on every `view-table` check. A release's
metadata describes every column of every table (about 60 KB), which makes a check cost about 2 ms, and the home
page checks every table: on the province build, some 100 ms of each home page went on it. The metadata of a served
release never changes while it is served, so the answer for a (database, table) pair never changes either; when a
plugin supplies metadata at run time (`get_metadata`), it might, and Datasette's own behaviour is kept
(`compat.remember_table_permissions`).
"""

from datasette import hookimpl

from .portal_site import compat

TABLES_REMEMBERED = 4096  # table names come from URLs: bounded, whatever visitors type


@hookimpl
def startup(datasette):
    compat.remember_table_permissions(datasette, TABLES_REMEMBERED)
