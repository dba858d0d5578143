"""E-mails share one SMTP connection per worker thread, and survive the server closing it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from civic.core import mail, smtp
from tests.support import Mailbox, free_port, smtp_server


def _message(n: int) -> dict[str, object]:
    return {
        "to": f"kept{n}@example.org",
        "subject": f"Prova {n}",
        "body": "Corpo.",
        "attachments": (),
    }


@pytest.fixture
def own_server(app: Flask) -> Iterator[tuple[int, Mailbox]]:
    """A server of this test's own, so that the count of connections is this test's."""
    smtp.close()
    with smtp_server() as (port, mailbox):
        app.config["MAIL_PORT"] = port
        yield port, mailbox
    smtp.close()


def test_messages_in_a_row_go_over_one_connection(
    app: Flask, own_server: tuple[int, Mailbox]
) -> None:
    _port, mailbox = own_server
    with app.app_context():
        for n in range(3):
            mail.send_email(_message(n))
    assert [str(m["To"]) for m in mailbox.messages] == [f"kept{n}@example.org" for n in range(3)]
    assert mailbox.greetings == 1


def test_a_connection_the_server_closed_is_replaced_and_the_message_still_leaves(
    app: Flask,
) -> None:
    smtp.close()
    port, mailbox = free_port(), Mailbox()
    app.config["MAIL_PORT"] = port
    with smtp_server(port, mailbox), app.app_context():
        mail.send_email(_message(1))
    # The server restarts on the same port: the kept connection is dead.
    with smtp_server(port, mailbox), app.app_context():
        mail.send_email(_message(2))
    smtp.close()
    assert [str(m["To"]) for m in mailbox.messages] == ["kept1@example.org", "kept2@example.org"]
    assert mailbox.greetings == 2


def test_a_server_that_is_down_fails_the_job_for_its_retry(app: Flask) -> None:
    smtp.close()
    app.config["MAIL_PORT"] = free_port()  # nobody listens
    with app.app_context(), pytest.raises(ConnectionRefusedError):
        mail.send_email.call_local(_message(3))  # as the worker runs it, before retries
