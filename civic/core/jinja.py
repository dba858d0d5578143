"""Template helpers: Rome dates, euro amounts, the language in use."""

from __future__ import annotations

import functools
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from babel import dates as babel_dates
from flask import Flask, g, has_request_context, request
from flask_babel import format_percent, get_locale, get_translations
from markupsafe import Markup

from .money import format_eur
from .rows import first_error
from .text import render_markdown
from .time import ROME, to_rome


def _locale() -> str:
    locale = get_locale()
    return str(locale.language) if locale else "it"


def eur(cents: int | None) -> str:
    """Integer cents as euros in the reader's language."""
    return "" if cents is None else format_eur(cents, _locale())


def euro_fraction(value: str | None) -> str:
    """An exact amount of whole euros kept as a fraction ('49000/3'), shown to the cent."""
    if not value:
        return ""
    amount = Fraction(value) * 100
    return eur(int(amount.numerator * 2 + amount.denominator) // (2 * amount.denominator))


def percent(share: float) -> str:
    """A share (0.5) as a percentage in the reader's language: '50,0%' in Italian."""
    return str(format_percent(share, "#,##0.0%"))


def _region() -> str:
    """The locale dates are written in: English as in Britain and Europe (2 December 2026),
    not the United States' December 2, 2026."""
    language = _locale()
    return "en_GB" if language == "en" else language


def rome_datetime(moment: datetime | None, style: str = "medium") -> str:
    """A UTC instant shown on Milan's wall clock."""
    if moment is None:
        return ""
    return str(babel_dates.format_datetime(moment, style, tzinfo=ROME, locale=_region()))


def rome_day_time(moment: datetime | None) -> str:
    """'mercoledì 2 dicembre 2026, 10:00': the day in full and the time, in Milan."""
    if moment is None:
        return ""
    local = to_rome(moment)
    return f"{babel_dates.format_date(local.date(), 'full', locale=_region())}, {local:%H:%M}"


def rome_date(moment: datetime | date | None, style: str = "long") -> str:
    """The date in Milan of a UTC instant (a calendar date is shown as it is)."""
    if moment is None:
        return ""
    day = to_rome(moment).date() if isinstance(moment, datetime) else moment
    return str(babel_dates.format_date(day, style, locale=_region()))


def aria_attributes(field: Any, help_text: str | None = None) -> dict[str, str]:
    """aria-describedby (help and errors) and aria-invalid for a form field."""
    ids = []
    if help_text:
        ids.append(f"{field.id}-help")
    if field.errors:
        ids.append(f"{field.id}-error")
    attrs = {"aria-describedby": " ".join(ids)} if ids else {}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return attrs


def markdown_html(text: str | None) -> Markup:
    """People's Markdown as sanitised HTML (see core.text)."""
    return Markup(_rendered(text or ""))  # noqa: S704 - nh3 cleaned it


@functools.lru_cache(maxsize=512)
def _rendered(text: str) -> str:
    # A call's or a campaign's page renders the same text on every visit: once is enough.
    return render_markdown(text)


def _translations() -> Any:
    """The request's translations, looked up once per locale instead of on every string.

    Flask-Babel resolves its domain, context and locale on each call (some 30 strings a page);
    this keeps the answer beside the locale object it was for, so a refresh() (a new locale
    object) is seen at once.
    """
    holder = g.get("_flask_babel")
    locale = getattr(holder, "babel_locale", None)
    kept = g.get("_civic_translations")
    if kept is not None and locale is not None and kept[0] is locale:
        return kept[1]
    found = get_translations()
    g._civic_translations = (getattr(g.get("_flask_babel"), "babel_locale", None), found)
    return found


def _context() -> dict[str, Any]:
    path = request.full_path.rstrip("?") if has_request_context() else "/"
    return {"current_language": _locale(), "current_path": path}


def register(app: Flask) -> None:
    """Install filters and globals."""
    app.jinja_env.globals["aria_attributes"] = aria_attributes
    app.jinja_env.globals["rows_first_error"] = first_error
    app.jinja_env.filters["eur"] = eur
    app.jinja_env.filters["euro_fraction"] = euro_fraction
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["rome_datetime"] = rome_datetime
    app.jinja_env.filters["rome_date"] = rome_date
    app.jinja_env.filters["rome_day_time"] = rome_day_time
    app.jinja_env.filters["markdown"] = markdown_html
    app.context_processor(_context)
    from . import chrome

    chrome.register(app)
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals["city_name"] = app.config["CITY_NAME"]
    app.jinja_env.globals["tile_attribution"] = app.config.get("MAP_TILE_ATTRIBUTION", "")
    app.jinja_env.globals["contact_email"] = app.config["CONTACT_EMAIL"]
