"""A city's Municipi and themes come from its reference file, loaded by one command: Milan's is
one file among others, and a bad file is refused whole with the entry named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.calls.models import Theme
from civic.places.models import Area
from civic.reference import MILANO

SMALL_CITY = {
    "city": "Comune di Esempio",
    "areas": [
        {"number": 1, "name": "Città Alta"},
        {"number": 2, "name": "Borgo Palazzo"},
        {"number": 3, "name": "Longuelo"},
    ],
    "themes": [
        {
            "code": "verde",
            "group": "quartieri",
            "name_it": "Verde urbano",
            "name_en": "Urban green",
        },
    ],
}


def _load(app: Flask, path: Path | str) -> Any:
    return app.test_cli_runner().invoke(args=["civic", "load-reference", str(path)])


def _counts(db: Session) -> tuple[int, int]:
    areas = db.scalar(select(func.count()).select_from(Area))
    themes = db.scalar(select(func.count()).select_from(Theme))
    return int(areas or 0), int(themes or 0)


def _names(db: Session) -> dict[int, str]:
    return {a.number: a.name for a in db.scalars(select(Area))}


def test_milans_file_loads_its_municipi_and_themes_once(app: Flask, db: Session) -> None:
    first = _load(app, MILANO)
    assert first.exit_code == 0, first.output
    assert "Comune di Milano: 9 of 9 Municipi and 12 of 12 themes added" in first.output
    assert _names(db)[3] == "Città Studi, Lambrate, Venezia"
    assert db.scalar(select(Theme.name_en).where(Theme.code == "mobility")) == (
        "Sustainable mobility"
    )
    second = _load(app, MILANO)
    assert second.exit_code == 0, second.output
    assert "0 of 9 Municipi and 0 of 12 themes added" in second.output
    assert _counts(db) == (9, 12)


def test_a_second_city_is_a_file_of_its_own(app: Flask, db: Session, tmp_path: Path) -> None:
    path = tmp_path / "esempio.json"
    path.write_text(json.dumps(SMALL_CITY), encoding="utf-8")
    result = _load(app, path)
    assert result.exit_code == 0, result.output
    assert "Comune di Esempio: 3 of 3 Municipi and 1 of 1 themes added" in result.output
    assert _names(db) == {1: "Città Alta", 2: "Borgo Palazzo", 3: "Longuelo"}
    assert _counts(db) == (3, 1)  # nothing of Milan's came with it


def test_a_reload_adds_what_is_missing_and_keeps_what_staff_renamed(
    app: Flask, db: Session, tmp_path: Path
) -> None:
    path = tmp_path / "esempio.json"
    path.write_text(json.dumps(SMALL_CITY), encoding="utf-8")
    assert _load(app, path).exit_code == 0
    area = db.scalars(select(Area).where(Area.number == 1)).one()
    area.name = "Città Alta e Colli"
    db.commit()
    grown = {**SMALL_CITY, "areas": [*SMALL_CITY["areas"], {"number": 4, "name": "Redona"}]}
    path.write_text(json.dumps(grown), encoding="utf-8")
    result = _load(app, path)
    assert "1 of 4 Municipi and 0 of 1 themes added" in result.output
    assert _names(db) == {1: "Città Alta e Colli", 2: "Borgo Palazzo", 3: "Longuelo", 4: "Redona"}


def _with(**changes: Any) -> dict[str, Any]:
    return {**SMALL_CITY, **changes}


def _area(**changes: Any) -> dict[str, Any]:
    return _with(areas=[{"number": 1, "name": "Città Alta", **changes}])


def _theme(**changes: Any) -> dict[str, Any]:
    theme = {"code": "verde", "group": "quartieri", "name_it": "Verde", "name_en": "Green"}
    return _with(themes=[{**theme, **changes}])


BAD: list[tuple[str, Any, str]] = [
    ("a list", [SMALL_CITY], "one object with 'city', 'areas' and 'themes'"),
    ("no city", {k: v for k, v in SMALL_CITY.items() if k != "city"}, "the file: 'city'"),
    ("no areas", _with(areas=[]), "'areas' must be a list with at least one entry"),
    ("areas not a list", _with(areas={"1": "Centro"}), "'areas' must be a list"),
    ("no themes", _with(themes=None), "'themes' must be a list"),
    ("an area that is text", _with(areas=["Centro"]), "areas[0]: must be an object"),
    ("a number as text", _area(number="1"), "areas[0]: 'number' must be a whole number"),
    ("number zero", _area(number=0), "areas[0]: 'number' must be a whole number from 1"),
    ("a negative number", _area(number=-3), "from 1 to 999"),
    ("a huge number", _area(number=10**20), "from 1 to 999"),
    ("a fraction", _area(number=1.5), "areas[0]: 'number'"),
    ("true as a number", _area(number=True), "areas[0]: 'number'"),
    ("a blank name", _area(name="   "), "areas[0]: 'name' must be a text that is not blank"),
    ("a name too long", _area(name="x" * 201), "at most 200 characters"),
    ("a control character", _area(name="Centro\x00"), "no control characters"),
    (
        "a number twice",
        _with(areas=[{"number": 1, "name": "A"}, {"number": 1, "name": "B"}]),
        "areas: 'number' 1 is there twice",
    ),
    ("a theme without English", _theme(name_en=None), "themes[0]: 'name_en'"),
    ("a code too long", _theme(code="c" * 61), "themes[0]: 'code' must be at most 60"),
    (
        "a code twice",
        _with(themes=[_theme()["themes"][0], _theme()["themes"][0]]),
        "themes: 'code' 'verde' is there twice",
    ),
]


@pytest.mark.parametrize(
    ("content", "expected"), [(c, e) for _n, c, e in BAD], ids=[n for n, *_ in BAD]
)
def test_a_bad_file_is_refused_whole_with_the_entry_named(
    app: Flask, db: Session, tmp_path: Path, content: Any, expected: str
) -> None:
    path = tmp_path / "citta.json"
    # The good entries come first, so a loader that stopped at the bad one would have added them.
    if isinstance(content, dict) and isinstance(content.get("areas"), list) and content["areas"]:
        content = {**content, "areas": [{"number": 9, "name": "Prima"}, *content["areas"]]}
        expected = expected.replace("areas[0]", "areas[1]")
    path.write_text(json.dumps(content), encoding="utf-8")
    result = _load(app, path)
    assert result.exit_code != 0
    assert expected in result.output, result.output
    assert _counts(db) == (0, 0)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"city": "Esempio", "areas": [', "not JSON (line 1"),
        (b"\xff\xfe{}", "cannot be read (UnicodeDecodeError)"),
    ],
    ids=["cut short", "not UTF-8"],
)
def test_a_file_that_is_not_json_is_refused(
    app: Flask, db: Session, tmp_path: Path, raw: bytes, expected: str
) -> None:
    path = tmp_path / "citta.json"
    path.write_bytes(raw)
    result = _load(app, path)
    assert result.exit_code != 0
    assert expected in result.output, result.output
    assert _counts(db) == (0, 0)


def test_a_missing_file_is_named(app: Flask, db: Session, tmp_path: Path) -> None:
    result = _load(app, tmp_path / "nessuno.json")
    assert result.exit_code != 0
    assert "nessuno.json: cannot be read (FileNotFoundError)" in result.output
    assert _counts(db) == (0, 0)
