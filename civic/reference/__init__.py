"""A city's reference data, its Municipi and the themes its calls pick from, in one JSON file.

Milan's is ``milano.json`` beside this module: the demo loads it, and it shows the format. Another
city writes its own file and loads it with ``flask --app wsgi civic load-reference FILE``, so a
second city is a file, not a change to the code. Loading adds what is missing and never removes
or renames: calls and people refer to what is there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ..calls.services import load_themes
from ..places.services import load_municipi

MILANO = Path(__file__).with_name("milano.json")

# The columns' sizes (places.models.Area, calls.models.Theme).
_AREA_NAME, _THEME_CODE, _THEME_GROUP, _THEME_NAME = 200, 60, 40, 200


class ReferenceProblem(ValueError):
    """The file cannot be loaded; the message names the entry and what is wrong with it."""


@dataclass(frozen=True)
class Reference:
    city: str
    municipi: tuple[tuple[int, str], ...]
    themes: tuple[tuple[str, str, str, str], ...]


def read(path: Path) -> Reference:
    """The reference data in ``path``, checked whole before anything is loaded."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ReferenceProblem(f"cannot be read ({error.__class__.__name__})") from None
    except json.JSONDecodeError as error:
        raise ReferenceProblem(f"not JSON (line {error.lineno}: {error.msg})") from None
    if not isinstance(data, dict):
        raise ReferenceProblem("the file must hold one object with 'city', 'areas' and 'themes'")
    city = _text(data, "city", 200, "the file")
    municipi = tuple(_municipio(entry, n) for n, entry in enumerate(_list(data, "areas")))
    themes = tuple(_theme(entry, n) for n, entry in enumerate(_list(data, "themes")))
    _unique([number for number, _name in municipi], "areas", "number")
    _unique([code for code, *_names in themes], "themes", "code")
    return Reference(city=city, municipi=municipi, themes=themes)


def load(session: Session, reference: Reference) -> dict[str, int]:
    """Add what is missing; return how many areas and themes were added."""
    return {
        "areas": load_municipi(session, reference.municipi),
        "themes": load_themes(session, reference.themes),
    }


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list) or not value:
        raise ReferenceProblem(f"'{key}' must be a list with at least one entry")
    return value


def _municipio(entry: Any, n: int) -> tuple[int, str]:
    where = f"areas[{n}]"
    if not isinstance(entry, dict):
        raise ReferenceProblem(f"{where}: must be an object with 'number' and 'name'")
    number = entry.get("number")
    # bool is an int in Python; true is not a Municipio's number.
    if not isinstance(number, int) or isinstance(number, bool) or not 0 < number < 1000:
        raise ReferenceProblem(f"{where}: 'number' must be a whole number from 1 to 999")
    return number, _text(entry, "name", _AREA_NAME, where)


def _theme(entry: Any, n: int) -> tuple[str, str, str, str]:
    where = f"themes[{n}]"
    if not isinstance(entry, dict):
        raise ReferenceProblem(
            f"{where}: must be an object with 'code', 'group', 'name_it', 'name_en'"
        )
    return (
        _text(entry, "code", _THEME_CODE, where),
        _text(entry, "group", _THEME_GROUP, where),
        _text(entry, "name_it", _THEME_NAME, where),
        _text(entry, "name_en", _THEME_NAME, where),
    )


def _text(entry: dict[str, Any], key: str, longest: int, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ReferenceProblem(f"{where}: '{key}' must be a text that is not blank")
    value = value.strip()
    if len(value) > longest or not value.isprintable():
        raise ReferenceProblem(
            f"{where}: '{key}' must be at most {longest} characters, with no control characters"
        )
    return value


def _unique(keys: list[Any], where: str, key: str) -> None:
    seen: set[Any] = set()
    for value in keys:
        if value in seen:
            raise ReferenceProblem(f"{where}: '{key}' {value!r} is there twice")
        seen.add(value)
