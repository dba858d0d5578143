"""Finding an address on the map, through geopy's client for Nominatim (OpenStreetMap's
geocoder). The service is a setting, ``GEOCODER_URL``: OpenStreetMap's public Nominatim by
default, which asks for at most one search a second and a name for the app (sent as the
User-Agent); a city with more traffic runs its own Nominatim or points this at a provider
that speaks the same API. Searches are kept to the city's box. Nothing is stored: the result
only fills in the coordinates a person can still correct."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from geopy.exc import GeopyError
from geopy.geocoders import Nominatim

from .domain import Bounds


@dataclass(frozen=True)
class Found:
    label: str
    lat: float
    lon: float


class Unreachable(Exception):
    """The service did not answer, or answered with an error."""


def find(
    address: str, *, url: str, bounds: Bounds, user_agent: str, timeout: float = 5.0
) -> list[Found]:
    """Up to five places in the city matching ``address``, best first."""
    parts = urlsplit(url)
    geocoder = Nominatim(
        domain=parts.netloc + parts.path.rstrip("/"),
        scheme=parts.scheme or "https",
        user_agent=user_agent,
        timeout=timeout,
    )
    south, west, north, east = bounds
    try:
        results = geocoder.geocode(
            address,
            exactly_one=False,
            limit=5,
            viewbox=[(south, west), (north, east)],
            bounded=True,
        )
    except GeopyError as error:
        raise Unreachable(str(error)) from error
    return [Found(r.address, float(r.latitude), float(r.longitude)) for r in results or []]
