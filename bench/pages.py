"""Page and endpoint latency with a city's worth of data: civic as in production (gunicorn,
PostgreSQL) with 10,000 proposals, 100,000 ballots, 5,000 pledges, their results, funded
projects and grants loaded (tests/factories/volume.py, the same loader the query-count test
uses). Each page is requested in turn by one client after a warm-up; the median and p95 are
printed, with the ratio of each p95 to that of a bare Flask page reading one row (bench/bare.py),
served by the same gunicorn in the same run: the floor of any page.

All traffic stays on 127.0.0.1; bounded by --requests per page.
Usage: .venv/bin/python bench/pages.py [--requests 200] [--workers 2]
Target (issue #9): p95 under 100 ms for each page and endpoint on this 2-core machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import urllib.request
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stack import Stack, stack  # noqa: E402

TARGET_MS = 100.0


def load(made: Stack) -> dict[str, Any]:
    """The volume, and the addresses of a few of its records for the pages to show."""
    app = made.app()
    with app.test_request_context("/"):
        from sqlalchemy import select, text

        from civic.calls.models import Call
        from civic.core.db import get_database
        from civic.execution.models import TrackedProject
        from civic.proposals.models import Proposal
        from tests.factories.volume import load_volume

        session = get_database(app).session_factory()
        started = time.perf_counter()
        loaded = load_volume(session)
        seconds = time.perf_counter() - started
        # What autovacuum does soon after a bulk load: without statistics the planner takes the
        # fresh tables for empty and picks nested loops (seconds on the proposals list).
        session.execute(text("ANALYZE"))
        session.commit()
        call = session.get(Call, loaded["call"])
        assert call is not None
        project = session.scalar(select(TrackedProject.id).order_by(TrackedProject.id))
        proposal = session.scalar(select(Proposal.id).order_by(Proposal.id.desc()))
        area = session.scalar(select(Proposal.area_id).where(Proposal.id == proposal))
        found = {"slug": call.slug, "project": project, "proposal": proposal, "area": area}
        session.close()
    print(f"loaded {loaded['proposals']:,} proposals, {loaded['ballots']:,} ballots, "
          f"{loaded['pledges']:,} pledges in {seconds:.0f} s")  # fmt: skip
    return found


def pages(found: dict[str, Any]) -> list[str]:
    return [
        "/",
        "/dashboard",
        f"/dashboard?municipio={found['area']}",
        "/dashboard/proposte",
        "/dashboard/dati.csv",
        "/progetti-finanziati",
        f"/progetti-finanziati/{found['project']}",
        "/bandi",
        f"/bandi/{found['slug']}/proposte",
        f"/proposte/{found['proposal']}",
        f"/bandi/{found['slug']}/risultati",
        "/crowdfunding",
        "/opendata",
        "/api/v1/proposals?limit=100",
        f"/api/v1/proposals?area={found['area']}&limit=100",
        "/api/v1/projects?limit=100",
        "/api/v1/campaigns?limit=100",
        "/api/v1/results",
        "/api/v1/grants?limit=100",
    ]


def measure(base: str, path: str, requests: int) -> dict[str, float]:
    """Milliseconds per request, one at a time, after five requests to warm up."""
    times: list[float] = []
    for n in range(requests + 5):
        started = time.perf_counter()
        with urllib.request.urlopen(base + path, timeout=30) as answer:  # noqa: S310 (loopback)
            answer.read()
            if answer.status != 200:
                raise RuntimeError(f"{path}: {answer.status}")
        if n >= 5:
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[max(0, int(len(times) * 0.95) - 1)],
        "max": times[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200, help="per page, after a warm-up")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    folder = Path(tempfile.mkdtemp(prefix="civic-pages-"))
    results: dict[str, dict[str, float]] = {}
    with stack("civic_pages", args.workers, folder) as made:
        found = load(made)
        # One client asks for thousands of API pages: lift the per-client API limit (the limit
        # itself is checked by the suite), so the figures are the pages' own.
        made.start_web(RATELIMIT_API="1000000 per minute")
        for path in pages(found):
            results[path] = measure(made.url, path, args.requests)
        made.stop("gunicorn")
        made.start_web("bench.bare:app")
        bare = measure(made.url, "/page", args.requests)
    print(f"\n{'page or endpoint':<44}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'p95/bare':>10}")
    failing = 0
    for path, figures in results.items():
        verdict = "ok" if figures["p95"] < TARGET_MS else "OVER"
        failing += verdict != "ok"
        print(f"{path:<44}{figures['p50']:>9.1f}{figures['p95']:>9.1f}{figures['max']:>9.1f}"
              f"{figures['p95'] / bare['p95']:>10.1f}  {verdict}")  # fmt: skip
    print(
        f"{'bare Flask page (floor)':<44}{bare['p50']:>9.1f}{bare['p95']:>9.1f}{bare['max']:>9.1f}"
    )
    print(f"\n{len(results) - failing} of {len(results)} under the {TARGET_MS:.0f} ms p95 target "
          f"(logs in {folder})")  # fmt: skip
    sys.exit(1 if failing else 0)


if __name__ == "__main__":
    main()
