"""Real services for the tests: an SMTP server, throwaway databases, free ports."""

from __future__ import annotations

import email
import email.policy
import os
import re
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def required(name: str) -> bool:
    return os.environ.get(name) == "1"


@dataclass
class Mailbox:
    """What the test SMTP server received."""

    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    greetings: int = 0  # EHLOs: one per connection a client opened

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    def last_to(self, address: str) -> EmailMessage:
        found = self.to(address)
        assert found, f"no message to {address}; got {[str(m['To']) for m in self.messages]}"
        return found[-1]

    @staticmethod
    def body(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())

    @classmethod
    def link(cls, message: EmailMessage, path_fragment: str) -> str:
        """The first http(s) link in the body that contains ``path_fragment``."""
        for url in re.findall(r"https?://\S+", cls.body(message)):
            if path_fragment in url:
                return url
        raise AssertionError(f"no link with {path_fragment!r} in: {cls.body(message)}")


class _Handler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_EHLO(  # noqa: N802 (aiosmtpd's name)
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        with self.mailbox.lock:
            self.mailbox.greetings += 1
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.mailbox.lock:
            self.mailbox.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(
    port: int | None = None, mailbox: Mailbox | None = None
) -> Iterator[tuple[int, Mailbox]]:
    """A real aiosmtpd server on a free loopback port (or the one given)."""
    mailbox = mailbox or Mailbox()
    port = port or free_port()
    controller = Controller(_Handler(mailbox), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, mailbox
    finally:
        controller.stop()


def postgres_url_or_skip() -> str:
    """The PostgreSQL server to use, or skip (fail when CIVIC_REQUIRE_POSTGRES=1) if it is down."""
    url = os.environ.get("CIVIC_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        url = DEFAULT_PG_URL
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:
        where = make_url(url).render_as_string()
        reason = f"PostgreSQL is not reachable at {where}: {exc.__class__.__name__}"
        if required("CIVIC_REQUIRE_POSTGRES"):
            pytest.fail(reason + " (CIVIC_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    return url


@contextmanager
def throwaway_database(base_url: str, tmp_dir: str) -> Iterator[str]:
    """An empty database next to ``base_url``: a new SQLite file, or a new PostgreSQL database."""
    if base_url.startswith("sqlite"):
        path = os.path.join(tmp_dir, f"civic-{uuid.uuid4().hex[:8]}.sqlite3")
        yield f"sqlite:///{path}"
        return
    name = f"civic_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run_in_parallel(
    app: Any, count: int, work: Any, refused: type[Exception], *, request_context: bool = False
) -> list[str]:
    """Run ``work(session, i)`` in ``count`` threads released together, each with its own
    session; a refusal becomes ``"refused:<code>"``, anything else ``"error:..."``."""
    from civic.core.db import get_database

    barrier = threading.Barrier(count)
    outcomes = [""] * count

    def run(i: int) -> None:
        context = app.test_request_context("/") if request_context else app.app_context()
        with context:
            session = get_database(app).session_factory()
            barrier.wait()
            try:
                outcomes[i] = work(session, i)
                session.commit()
            except refused as exc:
                session.rollback()
                outcomes[i] = f"refused:{getattr(exc, 'code', exc)}"
            except Exception as exc:  # anything else is a failure the test must see
                session.rollback()
                outcomes[i] = f"error:{exc!r}"
            finally:
                session.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def plain_pdf(text: str = "Documento di prova") -> bytes:
    """A real one-page PDF, as an office suite would save it (uploads are parsed by pypdf)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())
