"""Irreversible steps ask first. The step's button posts to its address; without ``confirmed``
the view answers a page that says what will happen, whose button posts the same fields again,
confirmed. Without JavaScript, and the CSRF token is checked on both posts."""

from __future__ import annotations

from flask import Response, make_response, render_template, request


def unless_confirmed(
    title: str, consequences: list[str], button: str, back: str
) -> Response | None:
    """None once the person confirmed; else the page that asks them to."""
    if request.form.get("confirmed") == "yes":
        return None
    fields = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in ("csrf_token", "confirmed")
    ]
    page = render_template(
        "confirm.html",
        title=title,
        consequences=consequences,
        button=button,
        back=back,
        fields=fields,
        action=request.path,
    )
    return make_response(page)
