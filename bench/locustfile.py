"""A voting day in Milan, as locust users (run by bench/load.py, which writes the plan).

Voters arrive signed in (as after SPID, whose cost is the identity provider's), open their
ballot, cast it and a quarter of them change it with their receipt; others browse the public
pages, sign in with a password, pledge to a campaign (confirming the card on the Stripe
stand-in, as Stripe.js would) or register for a meeting. Each client records what the server
accepted, so that bench/load.py can check afterwards that nothing was lost or counted twice.
All traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
from http.cookiejar import Cookie
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, constant, events, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["CIVIC_LOAD_PLAN"]).read_text())
OUT = Path(os.environ["CIVIC_LOAD_OUT"])
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
RECEIPT = re.compile(r"<code>([A-Z0-9-]{23})</code>")
SECRET = re.compile(r'data-secret="([^"]+)"')

_lock = threading.Lock()
_pools: dict[str, list[dict[str, Any]]] = {
    name: list(reversed(PLAN[name])) for name in ("voters", "backers", "attendees")
}
# What the server confirmed, and what was in flight when an answer never came (a worker killed,
# the database restarting): those may or may not have happened, and may be retried.
ACCEPTED: dict[str, list[Any]] = {
    "casts": [],
    "changes": [],
    "pledges": [],
    "registrations": [],
    "uncertain_casts": [],
    "uncertain_changes": [],
    "uncertain_registrations": [],
}


def _next(pool: str) -> dict[str, Any] | None:
    with _lock:
        return _pools[pool].pop() if _pools[pool] else None


def _cookie(value: str) -> Cookie:
    """The signed session cookie a sign-in would have set (host-only, for 127.0.0.1)."""
    return Cookie(
        0, PLAN["cookie_name"], value, None, False, "127.0.0.1", False, False, "/", True,
        False, None, False, None, None, {},
    )  # fmt: skip


def _token(html: str) -> str:
    found = TOKEN.search(html)
    return found.group(1) if found else ""


class _Person(FastHttpUser):
    abstract = True

    def _become(self, person: dict[str, Any]) -> None:
        self.client.cookiejar.clear()
        self.client.cookiejar.set_cookie(_cookie(person["cookie"]))


class Voter(_Person):
    """One voter after another: ballot page, cast, sometimes a change with the receipt."""

    weight = 12
    wait_time = constant(0)

    @task
    def vote(self) -> None:
        voter = _next("voters")
        if voter is None:
            self.stop()
            return
        self._become(voter)
        url = f"/bandi/{PLAN['call_slug']}/voto/{voter['area']}"
        with self.client.get(url, name="GET ballot", catch_response=True) as page:
            token = _token(page.text or "")
            if page.status_code != 200 or not token:
                page.failure(f"ballot page {page.status_code}")
                return
        projects = PLAN["projects"][str(voter["area"])]
        chosen = random.sample(projects, k=random.randint(1, min(2, len(projects))))
        form = {"csrf_token": token, "action": "cast", **{f"p{p}": "1" for p in chosen}}
        with self.client.post(url, data=form, name="POST cast ballot", catch_response=True) as r:
            receipt = RECEIPT.search(r.text or "") if r.status_code == 200 else None
            if receipt is None:
                r.failure(f"cast {r.status_code or 'connection lost'}")
                with _lock:
                    ACCEPTED["uncertain_casts"].append(voter["id"])
                return
        with _lock:
            ACCEPTED["casts"].append(voter["id"])
        if random.random() >= PLAN.get("change_share", 0.25):
            return
        change = url + "/modifica"
        with self.client.get(change, name="GET change ballot", catch_response=True) as page:
            token = _token(page.text or "")
            if page.status_code != 200 or not token:
                page.failure(f"change page {page.status_code}")
                return
        other = [p for p in projects if p not in chosen] or projects
        now_chosen = [random.choice(other)]
        form = {
            "csrf_token": token,
            "action": "cast",
            "receipt": receipt.group(1),
            **{f"p{p}": "1" for p in now_chosen},
        }
        with self.client.post(
            change, data=form, name="POST change ballot", catch_response=True, allow_redirects=False
        ) as r:
            if r.status_code != 200 or "tracking-code" not in (r.text or ""):
                r.failure(f"change {r.status_code}")
                with _lock:
                    ACCEPTED["uncertain_changes"].append(
                        [voter["id"], receipt.group(1), sorted(chosen)]
                    )
                return
        with _lock:
            ACCEPTED["changes"].append([voter["id"], receipt.group(1), sorted(now_chosen)])


class Reader(FastHttpUser):
    """Someone following the vote: the home page, the call, campaigns, meetings, the dashboard."""

    weight = 4
    wait_time = between(0.2, 0.6)

    @task(3)
    def call(self) -> None:
        self.client.get(f"/bandi/{PLAN['call_slug']}", name="GET call page")

    @task(2)
    def home(self) -> None:
        self.client.get("/", name="GET home")

    @task(1)
    def campaign(self) -> None:
        self.client.get(f"/crowdfunding/{PLAN['campaign_slug']}", name="GET campaign page")

    @task(1)
    def meetings(self) -> None:
        self.client.get("/incontri", name="GET meetings")

    @task(1)
    def calls(self) -> None:
        self.client.get("/bandi", name="GET calls")

    @task(1)
    def dashboard(self) -> None:
        self.client.get("/dashboard", name="GET dashboard")


class PasswordSignIn(FastHttpUser):
    """Signing in with a password: each costs one argon2 verification on the server."""

    weight = 1
    wait_time = between(1.0, 2.0)

    @task
    def sign_in(self) -> None:
        account = random.choice(PLAN["password_accounts"])
        address = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
        headers = {"X-Forwarded-For": address}  # each visitor behind the load balancer
        self.client.cookiejar.clear()
        page = self.client.get("/accedi", name="GET sign-in", headers=headers)
        form = {
            "csrf_token": _token(page.text or ""),
            "email": account,
            "password": PLAN["password"],
        }
        with self.client.post(
            "/accedi",
            data=form,
            headers=headers,
            name="POST sign in",
            catch_response=True,
            allow_redirects=False,
        ) as r:
            if r.status_code != 302:
                r.failure(f"sign-in {r.status_code}")


class Backer(_Person):
    """A pledge: the form, Stripe's SetupIntent confirmed with a test card, our confirmation."""

    weight = 1
    wait_time = between(0.5, 1.0)

    @task
    def pledge(self) -> None:
        backer = _next("backers")
        if backer is None:
            self.stop()
            return
        self._become(backer)
        url = f"/crowdfunding/{PLAN['campaign_slug']}/sostieni"
        page = self.client.get(url, name="GET pledge form")
        amount = random.choice([10, 20, 25, 50, 100])
        form = {"csrf_token": _token(page.text or ""), "amount": f"{amount},00", "tier": "0"}
        with self.client.post(
            url, data=form, name="POST pledge", catch_response=True, allow_redirects=False
        ) as r:
            if r.status_code != 302:
                r.failure(f"pledge {r.status_code}")
                return
            pledge_url = r.headers["Location"].replace("http://127.0.0.1", "")
            pledge_url = re.sub(r"^https?://[^/]+", "", pledge_url)
        with self.client.get(pledge_url, name="GET pledge page", catch_response=True) as page:
            secret = SECRET.search(page.text or "")
            if secret is None:
                page.failure(f"no SetupIntent on the pledge page ({page.status_code})")
                return
        intent = secret.group(1).split("_secret_")[0]
        _confirm_card(intent)
        with self.client.post(
            pledge_url + "/conferma",
            data={"csrf_token": _token(page.text or "")},
            name="POST confirm pledge",
            catch_response=True,
            allow_redirects=False,
        ) as r:
            if r.status_code != 302:
                r.failure(f"confirm {r.status_code}")
                return
        with _lock:
            ACCEPTED["pledges"].append([pledge_url.rsplit("/", 1)[-1], amount * 100])


def _confirm_card(intent_id: str) -> None:
    """What Stripe.js does in the backer's browser: a card, then the SetupIntent confirmed."""
    import stripe

    api = stripe.StripeClient("sk_test_civic_load", base_addresses={"api": PLAN["stripe_url"]})
    method = api.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        }
    )
    api.v1.setup_intents.confirm(intent_id, params={"payment_method": method.id})


class Attendee(_Person):
    """A registration for the presentation meeting (places run out: then the waiting list)."""

    weight = 1
    wait_time = between(0.5, 1.0)

    @task
    def register(self) -> None:
        person = _next("attendees")
        if person is None:
            self.stop()
            return
        self._become(person)
        url = f"/incontri/{PLAN['meeting_slug']}/iscrizione"
        page = self.client.get(url, name="GET registration form")
        form = {"csrf_token": _token(page.text or ""), "consent": "y"}
        with self.client.post(
            url, data=form, name="POST register", catch_response=True, allow_redirects=False
        ) as r:
            if r.status_code != 302:
                r.failure(f"register {r.status_code}")
                with _lock:
                    ACCEPTED["uncertain_registrations"].append(person["id"])
                return
        with _lock:
            ACCEPTED["registrations"].append(person["id"])


class BareInsert(FastHttpUser):
    """The ceiling: a bare Flask endpoint that inserts one row (bench/bare.py)."""

    weight = 1  # run alone: bench/load.py names the classes of each run
    wait_time = constant(0)

    @task
    def insert(self) -> None:
        self.client.post(
            "/insert", data={"voter": str(random.randint(1, 10**9))}, name="POST bare insert"
        )


@events.quitting.add_listener
def _write(environment: Any, **_kwargs: Any) -> None:
    OUT.write_text(json.dumps(ACCEPTED))
