"""The ceiling for bench/load.py: a bare Flask app whose one endpoint inserts a row into
PostgreSQL and commits, served by the same gunicorn as civic. Nothing else: no session, no
CSRF, no templates. civic's ballot cast is measured against it in the same run."""

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
