"""Several plugins wrap the same Datasette method (Database.execute): each wraps whatever is there, once.

A plugin's start-up runs for every Datasette object a process makes (the tests make many), and plugins start in no
fixed order. So a wrapper carries a mark, and the marks of the wrappers inside it: a plugin whose mark is already
in the chain wraps nothing again, and none replaces another's wrapper.
"""

from __future__ import annotations


def wrap_once(owner, name: str, mark: str, wrap) -> None:
    """Replace `owner.name` by `wrap(current)` unless a wrapper marked `mark` is already in its chain."""
    current = getattr(owner, name)
    if getattr(current, mark, False):
        return
    wrapped = wrap(current)
    wrapped.__dict__.update(vars(current))
    setattr(wrapped, mark, True)
    setattr(owner, name, wrapped)
