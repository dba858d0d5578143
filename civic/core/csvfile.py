"""The one CSV writer: every CSV download the app serves goes through here.

A cell a spreadsheet would read as a formula (it begins with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return) is written with a leading apostrophe, as OWASP recommends against CSV
injection: a proposal titled ``=HYPERLINK(...)`` is shown as text, never run. Numbers stay
numbers; only text is neutralised, so a negative amount written as a number is unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from flask import Response

CONTENT_TYPE = "text/csv; charset=utf-8"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet will show it and never evaluate it."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_rows(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> str:
    """The CSV text of ``header`` and ``rows``, every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(v) for v in header])
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return out.getvalue()


def csv_response(
    filename: str,
    header: Iterable[Any],
    rows: Iterable[Iterable[Any]],
    *,
    bom: bool = False,
    headers: dict[str, str] | None = None,
) -> Response:
    """A CSV download. ``bom`` puts a byte-order mark first, so spreadsheets that guess the
    encoding (Excel) read the accents right."""
    text = write_rows(header, rows)
    response = Response(("\ufeff" if bom else "") + text)
    response.headers["Content-Type"] = CONTENT_TYPE
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
