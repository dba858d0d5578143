"""A real localstripe server for the tests, and what Stripe.js would do in a browser."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import stripe

from tests.support import free_port, required

CARD_OK = "4242424242424242"
CARD_3DS = "4000002500003155"  # needs authentication when charged off-session
CARD_DECLINED_LATER = "4000000000000341"  # saved fine, declined when charged


def _executable() -> str | None:
    here = Path(sys.executable).with_name("localstripe")
    return str(here) if here.exists() else shutil.which("localstripe")


@contextmanager
def localstripe_server() -> Iterator[str]:
    """Start localstripe on a free loopback port; yield its base URL."""
    program = _executable()
    if program is None:
        reason = "localstripe is not installed (pip install localstripe)"
        if required("CIVIC_REQUIRE_STRIPE"):
            pytest.fail(reason)
        pytest.skip(reason)
    port = free_port()
    process = subprocess.Popen(
        [program, "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/js.stripe.com/v3/", timeout=1).close()  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("localstripe did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def flush(url: str) -> None:
    """Forget every object (localstripe's own endpoint)."""
    request = urllib.request.Request(url + "/_config/data", method="DELETE")  # noqa: S310
    urllib.request.urlopen(request, timeout=5).close()  # noqa: S310


def client(url: str) -> stripe.StripeClient:
    return stripe.StripeClient("sk_test_civic", base_addresses={"api": url})


def confirm_card_setup(url: str, setup_intent_id: str, card: str = CARD_OK) -> str:
    """What Stripe.js's confirmCardSetup does once the backer has typed a card."""
    api = client(url)
    method = api.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": card, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        }
    )
    intent = api.v1.setup_intents.confirm(setup_intent_id, params={"payment_method": method.id})
    if intent.status == "requires_action":  # 3-D Secure: the backer completes it in the modal
        api.v1.setup_intents.confirm(setup_intent_id)
    return str(method.id)


def confirm_card_payment(url: str, intent_id: str, card: str = CARD_OK) -> None:
    """What Stripe.js's confirmCardPayment does with a new card."""
    api = client(url)
    method = api.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": card, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        }
    )
    api.v1.payment_intents.confirm(intent_id, params={"payment_method": method.id})


def signed(payload: dict[str, Any], secret: str, at: int | None = None) -> tuple[bytes, str]:
    """A webhook body and its Stripe-Signature header, signed the way Stripe signs."""
    body = json.dumps(payload).encode()
    timestamp = at or int(time.time())
    signature = stripe.WebhookSignature._compute_signature(  # the library's own signing
        f"{timestamp}.{body.decode()}", secret
    )
    return body, f"t={timestamp},v1={signature}"


def event(event_id: str, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    return {"id": event_id, "object": "event", "type": kind, "data": {"object": obj}}
