"""An area's outline is read from GeoJSON with shapely and refused when it cannot be one."""

from __future__ import annotations

import json

import pytest

from civic.places.domain import BoundaryProblem, outside_boundary, parse_boundary

MILAN = (45.38, 9.04, 45.54, 9.28)
SQUARE = [[[9.15, 45.45], [9.20, 45.45], [9.20, 45.48], [9.15, 45.48], [9.15, 45.45]]]
BOWTIE = [[[9.15, 45.45], [9.20, 45.48], [9.20, 45.45], [9.15, 45.48], [9.15, 45.45]]]
LINE = {"type": "LineString", "coordinates": [[9.1, 45.4], [9.2, 45.5]]}


def _polygon(coordinates: object = SQUARE) -> str:
    return json.dumps({"type": "Polygon", "coordinates": coordinates})


@pytest.mark.parametrize(
    "text",
    [
        _polygon(),
        json.dumps({"type": "Feature", "properties": {}, "geometry": json.loads(_polygon())}),
        json.dumps(
            {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
             "geometry": {"type": "MultiPolygon", "coordinates": [SQUARE]}}]}
        ),
    ],
    ids=["polygon", "feature", "collection-of-one-multipolygon"],
)  # fmt: skip
def test_the_usual_shapes_of_an_outline_are_read(text: str) -> None:
    geometry = parse_boundary(text, MILAN)
    assert geometry["type"] in ("Polygon", "MultiPolygon")
    assert not outside_boundary(geometry, 45.46, 9.17)  # the middle of the square
    assert outside_boundary(geometry, 45.50, 9.17)  # in the city, north of the square


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("not json at all", "not_json"),
        ("[" * 100_000, "not_json"),
        (json.dumps(LINE), "not_polygon"),
        (json.dumps({"type": "FeatureCollection", "features": []}), "one_feature"),
        (_polygon(BOWTIE), "invalid"),
        (_polygon([[[1000, 45.45], [1001, 45.45], [1001, 45.48], [1000, 45.45]]]), "not_degrees"),
        (_polygon([[[36.8, -1.28], [36.9, -1.28], [36.9, -1.2], [36.8, -1.28]]]), "outside_city"),
        (_polygon("nonsense"), "not_polygon"),
    ],
    ids=["text", "deep", "line", "empty", "bowtie", "metres", "nairobi", "bad-coordinates"],
)  # fmt: skip
def test_an_outline_that_cannot_be_is_refused_with_its_reason(text: str, code: str) -> None:
    with pytest.raises(BoundaryProblem) as refused:
        parse_boundary(text, MILAN)
    assert refused.value.code == code


def test_without_an_outline_no_place_is_outside() -> None:
    assert not outside_boundary(None, 0.0, 0.0)
    assert not outside_boundary(json.loads(_polygon()), None, None)
