"""Production on one machine: `make prod` with PostgreSQL and Redis; backups that restore."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from civic.core.migrate import upgrade
from civic.core.paths import ROOT
from tests.integration.test_jobs import _redis_or_skip
from tests.support import free_port, postgres_url_or_skip, throwaway_database

SECRETS = {
    "SECRET_KEY": "p" * 48,
    "IDENTITY_HASH_KEY": "i" * 48,
    "BALLOT_KEY": "b" * 48,
    "STRIPE_SECRET_KEY": "sk_live_civic_production_check",
    "STRIPE_WEBHOOK_SECRET": "whsec_civic_production_check",
    "CIVIC_PUBLIC_URL": "https://partecipazione.comune.example",
    "CIVIC_EXTRA_HOSTS": "127.0.0.1",  # the probe asks the server directly, as a balancer would
    "MAIL_SERVER": "smtp.comune.example",
}


def test_make_prod_checks_the_settings_then_serves_with_several_workers(tmp_path: Path) -> None:
    _redis_or_skip().close()
    with throwaway_database(postgres_url_or_skip(), str(tmp_path)) as url:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "CIVIC_"))}
        env |= SECRETS | {"DATABASE_URL": url, "REDIS_URL": "redis://127.0.0.1:6379/12"}
        log = tmp_path / "prod.log"
        with log.open("w") as out:
            server = subprocess.Popen(
                ["make", "--no-print-directory", "prod", f"PORT={port}", "WORKERS=2"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            ready = None
            for _ in range(300):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
                        ready = json.loads(r.read())
                    break
                except OSError:
                    if server.poll() is not None:
                        break
                    time.sleep(0.2)
            output = log.read_text()
            assert ready == {
                "ready": True,
                "degraded": False,
                "database": "ok",
                "redis": "ok",
            }, output
            assert "the production configuration is complete" in output
            assert "Booting worker" in output  # gunicorn's workers
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def test_make_prod_refuses_an_incomplete_environment(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "CIVIC_"))}
    env |= SECRETS | {"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}
    done = subprocess.run(
        ["make", "--no-print-directory", "prod", f"PORT={free_port()}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "error: DATABASE_URL: production runs on PostgreSQL" in done.stdout
    assert "error: REDIS_URL" in done.stdout


def test_a_backup_restores_into_an_empty_database_with_the_same_rows(tmp_path: Path) -> None:
    from civic import create_app

    with throwaway_database(postgres_url_or_skip(), str(tmp_path)) as url:
        upgrade(url)
        app = create_app("development", {"DATABASE_URL": url, "HUEY_IMMEDIATE": True})
        runner = app.test_cli_runner()
        assert runner.invoke(args=["seed-demo"]).exit_code == 0
        target = tmp_path / "civic.dump"
        made = runner.invoke(args=["civic", "backup", str(target)])
        assert made.exit_code == 0, made.output
        assert target.stat().st_size > 10_000
        checked = runner.invoke(args=["civic", "restore-check", str(target)])
        assert checked.exit_code == 0, checked.output
        assert "same number of rows in every table" in checked.output
        from civic.backups import row_counts

        counts = row_counts(url)
        assert counts["crowdfunding_ledger"] > 0
        assert counts["meetings"] == 4
        from civic.core.db import get_database

        get_database(app).engine.dispose()
