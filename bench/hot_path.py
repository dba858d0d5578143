"""CPU per request on voting day's hot path, in one process, against PostgreSQL and Redis.

bench/load.py measures the whole machine under load, where the app shares two cores with
PostgreSQL and the load generator. This measures what one request of each kind costs the app
alone: the process CPU time (median) of the ballot page, the cast, the change page and the
change, with the number of SQL statements each runs, against two floors measured in the same
run: `/healthz` (Flask, the middleware and the hooks, no session) and a signed-in page that
does nothing (the same plus the person's session, sign-in loading and the database
connection's checkout). Settings as in production (CIVIC_ENV=production, Redis, JSON logs).

Usage: .venv/bin/python bench/hot_path.py [--voters 400] [--profile "POST cast ballot"]
With --profile, SORT=tottime orders the listing and PROFILE_OUT=FILE keeps the profile for
pstats (to compare two versions of the code function by function).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stack import seed, stack  # noqa: E402

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
RECEIPT = re.compile(r"<code>([A-Z0-9-]{23})</code>")


class Meter:
    """CPU time and statements per labelled request."""

    def __init__(self, engine: Any, profile: str | None = None) -> None:
        import cProfile

        from sqlalchemy import event

        self.profile = profile
        self.profiler = cProfile.Profile()

        self.cpu: dict[str, list[float]] = {}
        self.statements: dict[str, int] = {}
        self._count = 0

        def _seen(*_args: Any) -> None:
            self._count += 1

        event.listen(engine, "before_cursor_execute", _seen)

    def __call__(self, label: str, request: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        before, started = self._count, time.process_time()
        if label == self.profile:
            self.profiler.enable()
        answer = request(*args, **kwargs)
        if label == self.profile:
            self.profiler.disable()
        self.cpu.setdefault(label, []).append(time.process_time() - started)
        self.statements[label] = self._count - before
        return answer


SIGNED_IN = "signed in, nothing else (floor)"


def _token(page: Any) -> str:
    found = TOKEN.search(page.get_data(as_text=True))
    return found.group(1) if found else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--voters", type=int, default=400)
    parser.add_argument("--profile", help="print where one kind of request spends its CPU")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    folder = Path(tempfile.mkdtemp(prefix="civic-hot-"))
    with stack("civic_hot_path", 1, folder) as made:
        seed(made, voters=args.voters + 20, backers=1, attendees=1, capacity=10)
        app = made.app()
        import logging

        logging.getLogger("civic.access").disabled = True  # the log line is measured apart
        from flask_login import current_user

        app.add_url_rule("/bench-signed-in", "bench_signed_in", lambda: str(current_user.id))
        from civic.core.db import get_database

        meter = Meter(get_database(app).engine, args.profile)
        plan = made.plan
        name = plan["cookie_name"]
        secure = {"base_url": "https://localhost"}
        for n, voter in enumerate(plan["voters"]):
            client = app.test_client(use_cookies=False)
            cookie = {"Cookie": f"{name}={voter['cookie']}"}
            url = f"/bandi/{plan['call_slug']}/voto/{voter['area']}"
            meter("/healthz (floor)", client.get, "/healthz")
            meter(SIGNED_IN, client.get, "/bench-signed-in", headers=cookie)
            page = meter("GET ballot", client.get, url, headers=cookie)
            for header in page.headers.getlist("Set-Cookie"):
                if header.startswith(name + "="):
                    cookie = {"Cookie": header.split(";")[0]}
            project = plan["projects"][str(voter["area"])][n % 2]
            form = {"csrf_token": _token(page), "action": "cast", f"p{project}": "1"}
            headers = {**cookie, "Referer": "https://localhost" + url}
            cast = meter("POST cast ballot", client.post, url, headers=headers, data=form, **secure)
            receipt = RECEIPT.search(cast.get_data(as_text=True))
            if receipt is None:
                raise SystemExit(f"the cast was refused: {cast.status_code}")
            change = url + "/modifica"
            page = meter("GET change ballot", client.get, change, headers=cookie)
            form = {"csrf_token": _token(page), "action": "cast", "receipt": receipt.group(1),
                    f"p{project}": "1"}  # fmt: skip
            headers = {**cookie, "Referer": "https://localhost" + change}
            moved = meter(
                "POST change ballot", client.post, change, headers=headers, data=form, **secure
            )
            if moved.status_code != 200 or "tracking-code" not in moved.get_data(as_text=True):
                raise SystemExit(f"the change was refused: {moved.status_code}")  # shows its code
            if n == 20:  # the first requests warm the process up: not counted
                meter.cpu.clear()
            if n == args.voters + 19:
                break
    floor = statistics.median(meter.cpu[SIGNED_IN])
    print(f"{'request':<34}{'CPU ms':>9}{'x floor':>9}{'queries':>9}")
    for label, times in meter.cpu.items():
        median = statistics.median(times) * 1000
        ratio = median / (floor * 1000)
        print(f"{label:<34}{median:>9.2f}{ratio:>9.2f}{meter.statements[label]:>9}")
    count = len(next(iter(meter.cpu.values())))
    print(f"({count} of each; medians; floor: a signed-in page that does nothing)")
    if args.profile:
        import pstats

        order = os.environ.get("SORT", "cumulative")  # or "tottime"
        pstats.Stats(meter.profiler).sort_stats(order).print_stats(150)
        if os.environ.get("PROFILE_OUT"):
            meter.profiler.dump_stats(os.environ["PROFILE_OUT"])


if __name__ == "__main__":
    main()
