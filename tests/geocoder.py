"""A stand-in for a Nominatim service on a loopback port, for the address search's tests.

Nominatim needs a copy of OpenStreetMap's database, which this machine cannot hold, so the
tests talk to this small server instead: it speaks the part of Nominatim's API that geopy
uses (GET /search?q=...&format=json) with places it knows, and records what it was asked."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

PLACES = {
    "via padova 36": (
        "Via Padova, 36, Municipio 2, Milano, Lombardia, Italia", "45.494512", "9.221380"
    ),
    "piazza del duomo": (
        "Piazza del Duomo, Municipio 1, Milano, Lombardia, Italia", "45.464211", "9.191383"
    ),
}  # fmt: skip


@contextmanager
def geocoder() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """The service's URL and the list of requests it receives (query and headers)."""
    asked: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            asked.append({"path": url.path, "query": query, "agent": self.headers["User-Agent"]})
            found = PLACES.get(query.get("q", "").strip().lower())
            body = [] if found is None else [
                {"display_name": found[0], "lat": found[1], "lon": found[2], "place_id": 1}
            ]  # fmt: skip
            data = json.dumps(body).encode()
            self.send_response(200 if url.path == "/search" else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass  # quiet

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", asked
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
