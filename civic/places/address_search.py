"""The "find the address" button of the forms that take a place (a proposal, a meeting): the
address typed is looked up (places.geocoding) and the first match fills in the coordinates;
the form comes back to be checked and saved, nothing is saved by the search itself."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import current_app, flash
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded

from ..extensions import limiter
from . import geocoding

FIND = "find_address"  # the button's value of ``action``


def available() -> bool:
    return bool(current_app.config.get("GEOCODER_URL"))


def fill_in(form: Any) -> None:
    """Look up ``form.address`` and fill ``form.lat``/``form.lon``, or say beside the address
    why not. The map and the coordinates stay editable: the person checks the point."""
    address = (form.address.data or "").strip()
    problem = None
    found: list[geocoding.Found] = []
    if not available():
        problem = _("Address search is not set up here: place the point on the map.")
    elif not address:
        problem = _("Type an address to look for.")
    else:
        config = current_app.config
        try:
            # One budget for the whole installation: the service's policy counts our server,
            # not each person (OpenStreetMap's Nominatim allows one search a second).
            with limiter.limit(lambda: str(config["GEOCODER_LIMIT"]), key_func=lambda: "geocoder"):
                found = geocoding.find(
                    address,
                    url=config["GEOCODER_URL"],
                    bounds=config["CITY_BOUNDS"],
                    user_agent=f"civic ({config['PUBLIC_URL']})",
                )
        except RateLimitExceeded:
            problem = _("Many people are searching addresses right now: try again in a moment.")
        except geocoding.Unreachable:
            problem = _(
                "The address search does not answer now: place the point on the map or "
                "type the coordinates."
            )
        if not problem and not found:
            problem = _("No place in the city matches this address: check it, or use the map.")
    if problem:
        form.address.errors = [*form.address.errors, problem]
        return
    best = found[0]
    for field, value in ((form.lat, best.lat), (form.lon, best.lon)):
        field.data = Decimal(f"{value:.6f}")
        field.raw_data = [f"{value:.6f}"]  # shown instead of what the person had typed there
    flash(_("Found: %(place)s. Check the point on the map, then save.", place=best.label), "info")
