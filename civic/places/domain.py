"""The city's areas: their kinds, the city's box, and outlines."""

from __future__ import annotations

import functools
import json
from enum import StrEnum
from typing import Any

from ..core.refusals import Refused

# The city's territory as a box: (south, west, north, east) in degrees (the CITY_BOUNDS setting).
Bounds = tuple[float, ...]


def incomplete(lat: float | None, lon: float | None) -> bool:
    """A place needs both coordinates or neither."""
    return (lat is None) != (lon is None)


def outside(bounds: Bounds | None, lat: float | None, lon: float | None) -> bool:
    """Whether a place given by both coordinates lies outside the city's box."""
    if bounds is None or lat is None or lon is None:
        return False
    south, west, north, east = bounds
    return not (south <= lat <= north and west <= lon <= east)


# An outline of a Municipio has a few thousand points; far more is not an outline.
MAX_BOUNDARY_POINTS = 100_000


class BoundaryProblem(Refused):
    """Why an uploaded outline cannot be used; ``code`` names it for the page (an invalid
    shape carries shapely's reason in ``detail``)."""


def parse_boundary(text: str, bounds: Bounds | None = None) -> dict[str, Any]:
    """A GeoJSON text (a Polygon or MultiPolygon, or a Feature or one-feature collection of
    one) as the geometry to store, checked: it parses, it is a valid area, its coordinates
    are longitude and latitude, and it lies within the city's box when one is given."""
    from shapely.geometry import mapping, shape
    from shapely.validation import explain_validity

    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise BoundaryProblem("not_json") from error
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or len(features) != 1:
            raise BoundaryProblem("one_feature")
        data = features[0]
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon"):
        raise BoundaryProblem("not_polygon")
    if json.dumps(data).count(",") > 2 * MAX_BOUNDARY_POINTS:
        raise BoundaryProblem("too_many_points")
    try:
        geometry = shape(data)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError) as error:
        raise BoundaryProblem("not_polygon") from error
    if geometry.is_empty or not geometry.is_valid:
        raise BoundaryProblem("invalid", detail=explain_validity(geometry)[:80])
    west, south, east, north = geometry.bounds
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise BoundaryProblem("not_degrees")
    if bounds is not None:
        b_south, b_west, b_north, b_east = bounds
        if south > b_north or north < b_south or west > b_east or east < b_west:
            raise BoundaryProblem("outside_city")
    return dict(mapping(geometry))


def outside_boundary(boundary: dict[str, Any] | None, lat: float | None, lon: float | None) -> bool:
    """Whether a place lies outside an area's outline (no outline: never)."""
    if boundary is None or lat is None or lon is None:
        return False
    from shapely.geometry import Point

    return not _outline(json.dumps(boundary, sort_keys=True)).covers(Point(lon, lat))


@functools.lru_cache(maxsize=64)
def _outline(text: str) -> Any:
    # An outline is read once per process and prepared for many point tests.
    from shapely import prepare
    from shapely.geometry import shape

    geometry = shape(json.loads(text))
    prepare(geometry)
    return geometry


class AreaKind(StrEnum):
    MUNICIPIO = "municipio"
    NIL = "nil"
