"""Hand messages to the SMTP server over one connection per worker thread, kept open.

A connection per message costs a TCP handshake, EHLO and, in production, a TLS handshake and
a login for every e-mail, on both sides: under load (a change of ballot e-mails its voter)
that was a tenth of a core. A kept connection the server has since closed (its idle timeout,
a restart) is noticed at the next message, which is sent again once on a new connection;
other failures are left to the job's retries.
"""

from __future__ import annotations

import smtplib
import threading
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

GONE = (smtplib.SMTPServerDisconnected, ConnectionError)


class _Kept:
    """One thread's connection; closed when the thread ends (a pool thread, a test's)."""

    def __init__(self) -> None:
        self.smtp: smtplib.SMTP | None = None
        self.key: tuple[Any, ...] | None = None

    def __del__(self) -> None:
        if self.smtp is not None:
            self.smtp.close()


_threads = threading.local()


def _mine() -> _Kept:
    kept: _Kept | None = getattr(_threads, "kept", None)
    if kept is None:
        kept = _threads.kept = _Kept()
    return kept


def deliver(message: EmailMessage, cfg: Mapping[str, Any]) -> None:
    """Send one message with the app's MAIL_* settings."""
    key = (cfg["MAIL_SERVER"], cfg["MAIL_PORT"], cfg["MAIL_USE_SSL"], cfg["MAIL_USE_TLS"],
           cfg["MAIL_USERNAME"])  # fmt: skip
    kept = _mine()
    reused = kept.key == key and kept.smtp is not None
    smtp = kept.smtp if reused and kept.smtp is not None else _connect(cfg, key)
    try:
        smtp.send_message(message)
    except GONE:
        close()
        if not reused:
            raise
        _connect(cfg, key).send_message(message)  # the kept one had been closed: once more


def _connect(cfg: Mapping[str, Any], key: tuple[Any, ...]) -> smtplib.SMTP:
    close()
    smtp_class = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
    smtp = smtp_class(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"])
    try:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
    except BaseException:
        smtp.close()
        raise
    kept = _mine()
    kept.smtp, kept.key = smtp, key
    return smtp


def close() -> None:
    """Forget this thread's connection (saying goodbye if the server still listens)."""
    kept = _mine()
    smtp, kept.smtp = kept.smtp, None
    if smtp is not None:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
