"""Fixtures: a migrated database per run, a rolled-back transaction per test, real SMTP."""

from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from civic import create_app
from civic.core.db import get_database, make_engine
from civic.core.migrate import upgrade
from tests.support import Mailbox, postgres_url_or_skip, smtp_server, throwaway_database

os.environ.setdefault("CIVIC_ENV", "test")


def _base_url() -> str:
    url = os.environ.get("CIVIC_TEST_DATABASE_URL", "")
    if url.startswith("postgresql"):
        return postgres_url_or_skip()
    return "sqlite://"


@pytest.fixture(autouse=True, scope="session")
def _hash_each_password_once() -> Iterator[None]:
    """argon2 is slow on purpose; tests make hundreds of accounts with the same few passwords.

    Hashes stay real argon2id (sign-in still verifies them); only re-hashing is skipped.
    """
    from civic.accounts.services import common  # where create_user looks hash_password up

    original = common.hash_password
    common.hash_password = functools.lru_cache(maxsize=128)(original)  # type: ignore[assignment]
    yield
    common.hash_password = original  # type: ignore[assignment]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh database for this run, upgraded to head by the migrations."""
    with throwaway_database(_base_url(), str(tmp_path_factory.mktemp("db"))) as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def smtp() -> Iterator[tuple[int, Mailbox]]:
    from civic.core import smtp as kept

    with smtp_server() as server:
        yield server
        kept.close()  # the connection e-mail jobs keep open between messages


@pytest.fixture
def mailbox(smtp: tuple[int, Mailbox]) -> Mailbox:
    """The messages the SMTP server receives during this test."""
    smtp[1].clear()
    return smtp[1]


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test.

    Commits made by the code under test become savepoints (SQLAlchemy's "join into an external
    transaction" recipe), so every test starts from the same empty database.
    """
    connection = engine.connect()
    outer = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield session
    session.close()
    outer.rollback()
    connection.close()


UPLOADS = tempfile.mkdtemp(prefix="civic-test-uploads-")
atexit.register(shutil.rmtree, UPLOADS, ignore_errors=True)


def _reuse_url_builders() -> None:
    """Each test builds its own app, and three quarters of create_app's 80 ms is werkzeug
    compiling a Python function for each URL rule (350 of them), the same ones every time.
    The function depends only on the rule's text, its parts and defaults (the rule itself is
    passed in when it is called), so one compiled per distinct rule serves every app of the
    run. Tests only: the app compiles its rules once per process anyway."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    compiled: dict[tuple[Any, ...], Any] = {}

    def reused(self: Rule, append_unknown: bool = True) -> Any:
        key = (
            self.rule,
            tuple(self._trace),
            repr(sorted((self.defaults or {}).items())),
            append_unknown,
        )
        if key not in compiled:
            compiled[key] = compile_builder(self, append_unknown)
        return compiled[key]

    Rule._compile_builder = reused  # type: ignore[method-assign]


def _reuse_parsed_rules() -> None:
    """The other part of each app's URL rules built again for every test: parsing the rule's
    text into the parts the matcher walks. The parse depends only on the text, the defaults,
    the slash setting and the map's converters (the same classes in every app of the run), so
    one parse per distinct rule serves them all. The converter objects are shared; werkzeug's
    and ours keep no state. Tests only, as above."""
    from werkzeug.routing.rules import Rule

    compile_rule = Rule.compile
    parsed: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    def reused(self: Rule) -> None:
        key = (
            self.rule,
            self.subdomain,
            self.host,
            self.merge_slashes,
            self.map.host_matching,
            repr(sorted((self.defaults or {}).items())),
            tuple(sorted(self.map.converters.items())),
        )
        if key not in parsed:
            compile_rule(self)
            parsed[key] = (self._parts, self._trace, self._converters, set(self.arguments))
            return
        parts, trace, converters, arguments = parsed[key]
        self._parts, self._trace = list(parts), list(trace)
        self._converters = dict(converters)
        self.arguments = set(arguments)
        self._build = self._compile_builder(False).__get__(self, None)
        self._build_unknown = self._compile_builder(True).__get__(self, None)

    Rule.compile = reused  # type: ignore[method-assign]


_reuse_url_builders()
_reuse_parsed_rules()


def make_test_app(database_url: str, smtp_port: int, **overrides: Any) -> Flask:
    settings = {
        "DATABASE_URL": database_url,
        "UPLOAD_DIR": UPLOADS,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "SERVER_NAME": None,
    }
    settings.update(overrides)
    app = create_app("test", settings)
    app.jinja_env.bytecode_cache = _TEMPLATES
    return app


class _CompiledTemplates(BytecodeCache):
    """Templates compiled once for the whole run, not once per test's app (Jinja checks each
    against its source's checksum, so an edited template is compiled again)."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _CompiledTemplates()


@pytest.fixture
def app_overrides() -> dict[str, Any]:
    """Settings a test module wants changed; override this fixture to change them."""
    return {}


@pytest.fixture
def app(
    database_url: str, db: Session, smtp: tuple[int, Mailbox], app_overrides: dict[str, Any]
) -> Flask:
    """The app, on the test's connection. No context is pushed: each request (and each job)
    gets a session of its own, as in production, whose commits are savepoints inside the test's
    transaction; after each request the test's session forgets what it had loaded, so it reads
    what the request wrote."""
    app = make_test_app(database_url, smtp[0], **app_overrides)
    connection = db.get_bind()

    def own_session() -> Session:
        return Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )

    get_database(app).session_factory = own_session
    app.teardown_appcontext(lambda _exc: db.expire_all())
    return app


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    """An app context, for tests that call services directly (not through requests)."""
    with app.test_request_context("/"):
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def count_queries(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements run while the test runs (to pin N+1-free list pages)."""
    statements: list[str] = []

    def _record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", _record)
    yield statements
    event.remove(engine, "before_cursor_execute", _record)


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture(scope="session")
def localstripe() -> Iterator[str]:
    """A real localstripe server for the whole run (stripe-python talks to it over HTTP)."""
    from tests.stripe_support import localstripe_server

    with localstripe_server() as url:
        yield url
