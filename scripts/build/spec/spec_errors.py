"""Problems in the manifest or a spec as lines an admin can act on: file and line, entry, field, allowed values.

pydantic says what is wrong at a path of keys; the admin needs the line of the file, the entry by its name (not
its position), and what may be written instead, which pydantic omits for a misspelt key.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import get_args

import yaml
from pydantic import BaseModel, ValidationError

Location = tuple  # keys and list positions from the top of the file, as pydantic gives them
# How an entry of a list is called in a message, and the keys that name it, first found first.
SINGULAR = {
    "columns": "column",
    "dimensions": "dimension",
    "quasi_identifiers": "quasi-identifier",
    "coarser": "level",
    "charts": "chart",
    "pseudonymise": "pseudonym",
    "protected_counts": "protected count",
    "gate_allow": "allow rule",
    "filter": "filter",
    "relations": "relation",
}
NAMING_KEYS = ("id", "column", "name", "dataset")


def line_finder(path: Path) -> Callable[[Location], str]:
    """':line' of the deepest key of a location found in the file ('' when the file cannot be composed)."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        root = None

    def line(location: Location) -> str:
        node, mark = root, root and root.start_mark
        for part in location:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                pair = next(((k, v) for k, v in node.value if k.value == part), None)
                if pair is None:
                    break
                mark, node = pair[0].start_mark, pair[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = node.value[part]
                mark = node.start_mark
            else:
                break
        return f":{mark.line + 1}" if mark else ""

    return line


def describe(error: ValidationError, raw: object, path: Path, model: type[BaseModel]) -> list[str]:
    """One line per problem: `file:line: field 'a.b' (entry 'x'): what is wrong; what is allowed`."""
    line, lines = line_finder(path), []
    for problem in error.errors():
        location = _in_file(problem["loc"], raw)
        text = f"{path}{line(location)}: {where(location, raw)}: {problem['msg'].removeprefix('Value error, ')}{_allowed(problem, location, raw, model)}"
        if text not in lines:
            lines.append(text)
    return lines


def located(path: Path, raw: object, problems: list[tuple[Location, str]]) -> list[str]:
    """Problems found by the build's own checks, each at its line and entry like pydantic's."""
    line = line_finder(path)
    return [f"{path}{line(location)}: {where(location, raw)}: {message}" for location, message in problems]


def where(location: Location, raw: object) -> str:
    """`field 'a.0.b' (column 'x')`; a manifest's dataset entry first, as `dataset 'x' (entry 1) field 'b'`."""
    if len(location) > 1 and location[0] == "datasets" and isinstance(location[1], int):
        rest = ".".join(map(str, location[2:])) or "(the entry)"
        return f"dataset '{_name(_at(raw, location[:2])) or '?'}' (entry {location[1] + 1}) field '{rest}'"
    field = ".".join(map(str, location)) or "(top level)"
    entry = ""
    for depth in range(len(location) - 1, 0, -1):
        name = isinstance(location[depth], int) and _name(_at(raw, location[: depth + 1]))
        if name:
            entry = f" ({SINGULAR.get(location[depth - 1], 'entry')} '{name}')"
            break
    return f"field '{field}'{entry}"


def _in_file(location: Location, raw: object) -> Location:
    """The location as keys of the file: pydantic's union tags ('aggregate', "literal['a','b']") left out."""
    kept, node = [], raw
    for index, part in enumerate(location):
        last = index == len(location) - 1
        found = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        )
        if found:
            node = node[part]
        elif not (isinstance(node, dict) and last):
            continue  # a tag; only a key missing from its mapping (a required field) is kept
        kept.append(part)
    return tuple(kept)


def _at(raw: object, location: Location) -> object:
    for part in location:
        try:
            raw = raw[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return None
    return raw


def _name(item: object) -> str | None:
    if isinstance(item, dict):
        return next((str(item[key]) for key in NAMING_KEYS if isinstance(item.get(key), (str, int))), None)
    return None


def _allowed(problem: dict, location: Location, raw: object, model: type[BaseModel]) -> str:
    """The keys allowed where a misspelt or unknown one was found (pydantic lists literals and tags itself)."""
    if problem["type"] != "extra_forbidden":
        return ""
    owner = model_at(model, location[:-1], raw)
    return f"; allowed here: {', '.join(owner.model_fields)}" if owner else ""


def model_at(model: type[BaseModel] | None, location: Location, raw: object) -> type[BaseModel] | None:
    """The model a location of the file is read as; a union is resolved by the entry's `kind`."""
    node = raw
    for part in location:
        node = _at(node, (part,))
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part)
        candidates = _models(field.annotation) if field else []
        if len(candidates) > 1 and isinstance(node, dict):
            candidates = [
                c
                for c in candidates
                if "kind" in c.model_fields and node.get("kind") in get_args(c.model_fields["kind"].annotation)
            ]
        model = candidates[0] if len(candidates) == 1 else None
    return model


def _models(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for argument in get_args(annotation) for model in _models(argument)]
