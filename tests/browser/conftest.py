"""A live server on a free loopback port with its own database; Chromium driven by Playwright."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from civic.core.db import get_database
from civic.core.migrate import upgrade
from tests.conftest import make_test_app
from tests.support import Mailbox, postgres_url_or_skip, required, throwaway_database

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@dataclass
class LiveServer:
    url: str
    app: Any


@pytest.fixture(scope="session")
def browser_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The live server commits for real, so it gets a database of its own."""
    base = os.environ.get("CIVIC_TEST_DATABASE_URL", "")
    base = postgres_url_or_skip() if base.startswith("postgresql") else "sqlite://"
    with throwaway_database(base, str(tmp_path_factory.mktemp("browser-db"))) as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def live_server(
    browser_database: str, smtp: tuple[int, Mailbox], localstripe: str
) -> Iterator[LiveServer]:
    app = make_test_app(
        browser_database,
        smtp[0],
        RATELIMIT_ENABLED=False,
        STRIPE_API_BASE=localstripe,
        EXTRA_HOSTS=["127.0.0.1"],  # the browser asks for the server by its address
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["PUBLIC_URL"] = f"http://127.0.0.1:{server.server_port}"  # links in its e-mails
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        get_database(app).engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if required("CIVIC_REQUIRE_BROWSER"):
            pytest.fail(reason + " (CIVIC_REQUIRE_BROWSER=1)")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(locale="it-IT", accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors  # type: ignore[attr-defined]
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]


def check_accessibility(page: Any) -> None:
    """axe-core on the current page: no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], f"{page.url}: {bad}"


def wait_until(page: Any, expression: str, timeout: float = 10.0) -> None:
    """Wait until ``expression`` is true in the page. Playwright's wait_for_function polls with
    a function it evaluates inside the page, which the strict CSP (no 'unsafe-eval') refuses
    whenever the first check is false; page.evaluate goes through the browser's debugging
    protocol, which the CSP does not govern."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        page.wait_for_timeout(50)


def sign_in(browser: Any, base: str, email: str, **context: Any) -> Any:
    """A new browser context signed in with the test password; console errors are collected
    on ``page.console_errors``."""
    from tests.factories.accounts import PASSWORD

    page = browser.new_context(locale="it-IT", **context).new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors
    page.goto(base + "/accedi")
    page.get_by_label("Indirizzo e-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Accedi").click()
    page.wait_for_url("**/account")
    return page


def fill_test_card(page: Any) -> None:
    """Type Stripe's test card into localstripe's stand-in for Stripe.js (plain inputs where
    Stripe draws its iframe) on a pledge's payment page."""
    page.locator("#card-element input").first.wait_for()
    for placeholder, value in (
        ("number", "4242424242424242"),
        ("exp_month", "12"),
        ("exp_year", "34"),
        ("cvc", "123"),
        ("postal_code", "20127"),
    ):
        page.locator(f"#card-element input[placeholder={placeholder}]").fill(value)


def record_feasible(staff: Any, reason: str) -> None:
    """On a proposal's page, staff record it feasible with their estimate."""
    staff.locator("label[for=outcome-0]").click()  # Bootstrap Italia draws the radio on the label
    assert staff.locator("#outcome-0").is_checked()
    staff.get_by_label("Motivazione pubblica").fill(reason)
    staff.get_by_label("Stima dei costi degli uffici (€)").fill("21.000,00")
    staff.get_by_label("Costo di gestione del primo anno (€)").fill("1.500,00")
    staff.get_by_label("Durata (mesi)").fill("6")
    staff.get_by_role("button", name="Registra la verifica").click()
    staff.get_by_text("La verifica è stata registrata").wait_for()


# The live server is werkzeug's development server. When Chromium drops a connection while a
# static file is on its way (it gives up on the favicon when a page navigates on), that server
# leaves the file to the garbage collector, which warns. Nothing of civic's is involved, so
# for static files of the browser journeys only, the warning is not an error.
STATIC_FILE_LEFT_OPEN = [
    "ignore:unclosed file <_io.BufferedReader name='[^']*/static/:ResourceWarning",
    "ignore:Exception ignored in. <_io.FileIO name='[^']*/static/"
    ":pytest.PytestUnraisableExceptionWarning",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            for rule in STATIC_FILE_LEFT_OPEN:
                item.add_marker(pytest.mark.filterwarnings(rule))
