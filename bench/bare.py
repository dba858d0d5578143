"""The ceiling for the benchmarks: a bare Flask app served by the same gunicorn as civic.
``POST /insert`` inserts a row into PostgreSQL and commits (bench/load.py compares the ballot
cast with it); ``GET /page`` reads one row and returns a small HTML page (bench/pages.py
compares civic's pages with it). Nothing else: no session, no CSRF, no templates."""

from __future__ import annotations

import os

from flask import Flask, request
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
app = Flask(__name__)


@app.post("/insert")
def insert() -> tuple[str, int]:
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO bare_rows (voter, at) VALUES (:voter, now())"),
            {"voter": int(request.form.get("voter", "0"))},
        )
    return "ok", 201


@app.get("/page")
def page() -> str:
    with engine.connect() as connection:
        found = connection.execute(text("SELECT 1")).scalar()
    return f"<!doctype html><html lang='it'><title>bare</title><p>{found}</p></html>"
