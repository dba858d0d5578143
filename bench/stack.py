"""The production stack on this machine, for bench/load.py and bench/faults.py.

A fresh PostgreSQL database, Redis (one database number of its own, flushed), an SMTP sink,
localstripe standing in for Stripe, then civic as `make prod` runs it: CIVIC_ENV=production,
gunicorn with several workers, Huey job workers on Redis. Everything listens on 127.0.0.1.
The voting-day data is loaded through the app's own models and services; voters get the
signed session cookie a sign-in would have given them.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PASSWORD = "Milano-vota-2026"  # noqa: S105 (the load-test accounts' password)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, seconds: float = 60, status: int = 200) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 (loopback only)
                if answer.status == status:
                    return
        except urllib.error.HTTPError as error:
            if error.code == status:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer {status}")
        time.sleep(0.2)


def recreate_database(name: str) -> str:
    import psycopg

    with psycopg.connect("postgresql://127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://127.0.0.1:5432/{name}"


PARTS = (
    ("web (gunicorn)", "gunicorn"),
    ("database (PostgreSQL)", "postgres"),
    ("load generator (locust)", "locust"),
    ("jobs (huey)", "huey_consumer"),
    ("Redis", "redis-server"),
    ("Stripe stand-in (localstripe)", "localstripe"),
)


def _cpu_seconds() -> dict[str, float]:
    """CPU seconds used so far by each part of the stack, from /proc (Linux)."""
    used = dict.fromkeys([name for name, _ in PARTS] + ["everything else"], 0.0)
    tick = os.sysconf("SC_CLK_TCK")
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        seconds = (int(fields[11]) + int(fields[12])) / tick
        part = next((name for name, word in PARTS if word in command[:200]), "everything else")
        if part == "everything else" and stat.split(" (", 1)[1].startswith("postgres"):
            part = "database (PostgreSQL)"
        used[part] += seconds
    return used


def cpu_use(seconds: float) -> dict[str, float]:
    """Cores used by each part of the stack over the next ``seconds`` (run it while the load
    runs: a process that has exited no longer shows what it used)."""
    before, started = _cpu_seconds(), time.monotonic()
    time.sleep(seconds)
    after, elapsed = _cpu_seconds(), time.monotonic() - started
    return {part: max(0.0, after[part] - before.get(part, 0.0)) / elapsed for part in after}


@dataclass
class Stack:
    database_url: str
    workers: int
    folder: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    plan: dict[str, Any] = field(default_factory=dict)
    mailbox: Any = None
    redis_port: int = 0

    def start_redis(self) -> None:
        """The stack's own Redis, with an append-only file so a restart keeps queued jobs."""
        self._spawn(
            "redis",
            ["/usr/bin/redis-server", "--bind", "127.0.0.1", "--port", str(self.redis_port),
             "--save", "", "--appendonly", "yes", "--dir", str(self.folder)],
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.redis_port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("redis did not start") from None
                time.sleep(0.1)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _spawn(self, name: str, command: list[str], **extra: str) -> subprocess.Popen[bytes]:
        log = open(self.folder / f"{name}.log", "ab")  # noqa: SIM115 (kept open for the process)
        process = subprocess.Popen(  # noqa: S603 (our own programs)
            command,
            cwd=ROOT,
            env={**os.environ, **self.env, **extra},
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def start_web(self, app: str = "wsgi:app", **extra: str) -> None:
        self._spawn(
            "gunicorn",
            [
                str(BIN / "gunicorn"),
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--graceful-timeout",
                "20",
                "--backlog",
                "2048",
                app,
            ],
            **extra,
        )
        wait_for(self.url + ("/readyz" if app == "wsgi:app" else "/nope"), status=200
                 if app == "wsgi:app" else 404)  # fmt: skip

    def start_jobs(self) -> None:
        self._spawn(
            "huey", [str(BIN / "huey_consumer"), "civic.worker.huey", "--workers", "2", "-q"]
        )

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def worker_pids(self) -> list[int]:
        """gunicorn's worker processes (children of the master)."""
        master = self.processes["gunicorn"].pid
        found = subprocess.run(  # noqa: S603
            ["/usr/bin/pgrep", "-P", str(master)], capture_output=True, text=True, check=False
        )
        return [int(pid) for pid in found.stdout.split()]

    def app(self) -> Any:
        """civic in this process, with the same settings as the served one."""
        os.environ.update(self.env)
        from civic import create_app

        return create_app("production")


@contextmanager
def stack(name: str, workers: int, folder: Path) -> Iterator[Stack]:
    """Database, Redis, SMTP sink and localstripe up; the app not yet started."""
    from civic.core.migrate import upgrade

    sys.path.insert(0, str(ROOT))
    from tests.stripe_support import localstripe_server
    from tests.support import smtp_server

    database_url = recreate_database(name)
    made = Stack(database_url=database_url, workers=workers, folder=folder, port=free_port())
    made.redis_port = free_port()
    try:
        made.start_redis()
        with localstripe_server() as stripe_url, smtp_server() as (smtp_port, mailbox):
            made.mailbox = mailbox
            made.env = {
                "CIVIC_ENV": "production",
                "DATABASE_URL": database_url,
                "REDIS_URL": f"redis://127.0.0.1:{made.redis_port}/0",
                "SECRET_KEY": secrets.token_hex(32),
                "IDENTITY_HASH_KEY": secrets.token_hex(32),
                "BALLOT_KEY": secrets.token_hex(32),
                "BALLOT_DEFAULT_MODE": "server",
                "STRIPE_SECRET_KEY": "sk_test_civic_load",
                "STRIPE_WEBHOOK_SECRET": "whsec_civic_load",
                "STRIPE_API_BASE": stripe_url,
                "STRIPE_PUBLISHABLE_KEY": "pk_test_civic_load",
                "MAIL_SERVER": "127.0.0.1",
                "MAIL_PORT": str(smtp_port),
                "CIVIC_PUBLIC_URL": "https://partecipa.example.org",
                "CIVIC_EXTRA_HOSTS": "127.0.0.1,localhost",  # load and test clients ask directly
                "SESSION_COOKIE_SECURE": "false",  # no TLS terminator in front on loopback
                "PROXY_HOPS": "1",
                "UPLOAD_DIR": str(folder / "uploads"),
                "PYTHONPATH": str(ROOT),
                "PYTHONWARNINGS": "ignore",
            }
            upgrade(database_url)
            yield made
    finally:
        for process_name in list(made.processes):
            made.stop(process_name)


def seed(made: Stack, voters: int, backers: int, attendees: int, capacity: int) -> None:
    """A vote open in two Municipi, a live campaign, a meeting with ``capacity`` places, and
    people: voters verified at a desk, each with the session cookie of a signed-in visitor."""
    app = made.app()
    with app.test_request_context("/"):
        from argon2 import PasswordHasher

        from civic.accounts.models import User
        from civic.core.db import get_database
        from civic.core.time import utcnow
        from civic.residency.models import Residency
        from tests.factories.calls import make_voting_call
        from tests.factories.crowdfunding import make_campaign
        from tests.factories.meetings import make_meeting

        session = get_database(app).session_factory()
        call, projects = make_voting_call(session, projects_per_area=4)
        campaign = make_campaign(session)
        meeting = make_meeting(session, capacity=capacity)
        areas = sorted(projects)
        password_hash = PasswordHasher().hash(PASSWORD)
        serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        now = utcnow()
        people: dict[str, list[dict[str, Any]]] = {"voters": [], "backers": [], "attendees": []}
        total = voters + backers + attendees
        made_users: list[User] = []
        for n in range(total):
            area = areas[n % len(areas)]
            made_users.append(
                User(
                    email=f"elettore{n}@carico.example.org",
                    password_hash=password_hash,
                    full_name=f"Elettore {n}",
                    municipio_id=area,
                    language="it",
                    security_stamp=secrets.token_hex(16),
                    created_at=now,
                    email_verified_at=now,
                )
            )
            if len(made_users) == 2000 or n == total - 1:
                session.add_all(made_users)
                session.flush()
                session.add_all(
                    Residency(
                        user_id=user.id,
                        municipio_id=user.municipio_id,
                        birth_date=date(1980, 1, 1) + timedelta(days=user.id % 9000),
                        method="desk",
                        document_type="carta_identita",
                        verified_at=now,
                    )
                    for user in made_users
                )
                session.commit()
                for user in made_users:
                    number = (
                        len(people["voters"]) + len(people["backers"]) + len(people["attendees"])
                    )
                    pool = (
                        "voters"
                        if number < voters
                        else "backers"
                        if number < voters + backers
                        else "attendees"
                    )
                    user.session_key = secrets.token_urlsafe(18)  # as a sign-in gives
                    cookie = serializer.dumps({"_user_id": user.get_id(), "_fresh": True})
                    people[pool].append(
                        {
                            "id": user.id,
                            "email": user.email,
                            "area": user.municipio_id,
                            "cookie": cookie,
                        }
                    )
                made_users = []
        made.plan = {
            "call_id": call.id,
            "call_slug": call.slug,
            "projects": {str(area): ids for area, ids in projects.items()},
            "campaign_id": campaign.id,
            "campaign_slug": campaign.slug,
            "meeting_id": meeting.id,
            "meeting_slug": meeting.slug,
            "capacity": capacity,
            "cookie_name": app.config["SESSION_COOKIE_NAME"],
            "password": PASSWORD,
            "password_accounts": [f"elettore{n}@carico.example.org" for n in range(0, 50)],
            "stripe_url": made.env["STRIPE_API_BASE"],
            **people,
        }
        session.close()
    (made.folder / "plan.json").write_text(json.dumps(made.plan))


def run_locust(
    made: Stack,
    users: int,
    seconds: int,
    classes: list[str],
    tag: str,
    *,
    share: tuple[int, int] | None = None,
    during: Callable[[], None] | None = None,
) -> tuple[dict[str, dict[str, float]], dict[str, Any]]:
    """Run locust headless against the stack; returns its per-endpoint figures and what the
    clients saw accepted. ``share`` (k, n) gives this run the k-th of n equal parts of each
    group of people (so several runs on one stack never reuse a voter); ``during`` runs
    while the load does (faults)."""
    out = made.folder / f"{tag}-accepted.json"
    prefix = made.folder / tag
    plan = dict(made.plan)
    if share is not None:
        part, parts = share
        for pool in ("voters", "backers", "attendees"):
            size = len(made.plan[pool]) // parts
            plan[pool] = made.plan[pool][part * size : (part + 1) * size]
    plan_file = made.folder / f"{tag}-plan.json"
    plan_file.write_text(json.dumps(plan))
    process = subprocess.Popen(  # noqa: S603 (our own locustfile)
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--host",
            made.url,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            *classes,
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "CIVIC_LOAD_PLAN": str(plan_file),
            "CIVIC_LOAD_OUT": str(out),
            "PYTHONWARNINGS": "ignore",
        },
        stdout=subprocess.DEVNULL,
        stderr=open(made.folder / f"{tag}-locust.log", "ab"),  # noqa: SIM115
    )
    if during is not None:
        during()
    process.wait(timeout=seconds + 120)
    import csv

    stats: dict[str, dict[str, float]] = {}
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            stats[row["Name"]] = {
                "requests": float(row["Request Count"]),
                "failures": float(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"] or 0),
                "p95": float(row["95%"] or 0),
                "p99": float(row["99%"] or 0),
            }
    accepted = json.loads(out.read_text()) if out.exists() else {}
    with open(f"{prefix}_exceptions.csv", newline="") as handle:
        accepted["exceptions"] = [row["Message"] for row in csv.DictReader(handle)]
    return stats, accepted
