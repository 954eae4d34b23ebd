"""Login rate limits: exact under concurrency, never a way to lock out the owner.

Wrong passwords for one address from one client, sent truly at once to a live
server (threads released by a barrier, each request in its own database
session), get exactly ``pair_free`` answers of 401 and the rest 429 with
Retry-After. The owner, from another client, still logs in while that goes on.
X-Forwarded-For is believed only from a configured proxy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.desk.fixtures import PASSWORD, World
from tests.harness import serve
from visadesk.desk import accounts
from visadesk.desk.db import write_session
from visadesk.desk.errors import DeskError
from visadesk.desk.models import LoginAttempt, utcnow
from visadesk.desk.proxies import client_address, parse_trusted
from visadesk.desk.runtime import Desk
from visadesk.server import create_app

LIMITS = accounts.LIMITS
VICTIM = "officer@example.test"
ATTACKER_IP = "203.0.113.66"
OWNER_IP = "198.51.100.7"


@pytest.fixture
def proxied(desk: Desk) -> Desk:
    """The same database behind a trusted proxy on loopback (the live server's peer)."""
    settings = dataclasses.replace(desk.settings, trusted_proxies=parse_trusted("127.0.0.1, ::1"))
    return dataclasses.replace(desk, settings=settings)


@pytest.fixture
def long_waits(monkeypatch: pytest.MonkeyPatch) -> accounts.RateLimits:
    """A first wait of 10 minutes: on a loaded machine a burst may take longer than the
    default 5 s, and the wait running out mid-burst would rightly let one more through.
    These tests are about atomicity; the wait's growth is tested below with the default."""
    limits = dataclasses.replace(accounts.LIMITS, delay_base=600)
    monkeypatch.setattr(accounts, "LIMITS", limits)
    return limits


@pytest.fixture
def live(world: World, proxied: Desk, long_waits: accounts.RateLimits) -> Iterator[str]:
    with serve(create_app(proxied)) as base:
        yield base


def _post(http: httpx.Client, base: str, email: str, password: str, ip: str) -> httpx.Response:
    return http.post(
        f"{base}/api/v1/auth/token",
        json={"email": email, "password": password},
        headers={"X-Forwarded-For": ip},
    )


def _at_once(n: int, call: Any) -> list[httpx.Response]:
    """``call(http)`` from ``n`` threads released together, each with its own connection."""
    barrier = threading.Barrier(n, timeout=30)

    def one(_: int) -> httpx.Response:
        with httpx.Client(timeout=60) as http:
            barrier.wait()
            return call(http)  # type: ignore[no-any-return]

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


@pytest.mark.parametrize("n", [20, 40])
def test_simultaneous_wrong_passwords_get_exactly_the_allowance(live: str, n: int) -> None:
    answers = _at_once(n, lambda http: _post(http, live, VICTIM, "wrong password", ATTACKER_IP))
    statuses = sorted(r.status_code for r in answers)
    assert statuses.count(401) == LIMITS.pair_free, statuses
    assert statuses.count(429) == n - LIMITS.pair_free, statuses
    for r in answers:
        if r.status_code == 429:
            assert r.json()["error"]["code"] == "too_many_attempts"
            assert 1 <= int(r.headers["Retry-After"]) <= 600


def test_the_owner_logs_in_while_an_attacker_hammers(live: str) -> None:
    results: list[httpx.Response] = []
    stop = threading.Event()

    def hammer() -> None:
        with httpx.Client(timeout=60) as http:
            while not stop.is_set():
                results.append(_post(http, live, VICTIM, "guess", ATTACKER_IP))

    attackers = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in attackers:
        thread.start()
    try:
        with httpx.Client(timeout=60) as http:
            while len(results) < 3 * LIMITS.pair_free:
                stop.wait(0.01)
            owner = _post(http, live, VICTIM, PASSWORD, OWNER_IP)
            assert owner.status_code == 200, owner.text
            # The attacker is still held back, and the owner's success gave it no new allowance.
            assert _post(http, live, VICTIM, "guess", ATTACKER_IP).status_code == 429
    finally:
        stop.set()
        for thread in attackers:
            thread.join(timeout=30)
    assert [r.status_code for r in results].count(401) == LIMITS.pair_free


def _age(desk: Desk, seconds: float) -> None:
    """Move every recorded attempt ``seconds`` into the past."""
    with write_session(desk.sessions) as s:
        for attempt in s.scalars(select(LoginAttempt)):
            attempt.at -= dt.timedelta(seconds=seconds)


def _fail(desk: Desk, email: str, client: str, count: int) -> None:
    """Record ``count`` failed attempts (faster than logging in that often)."""
    with write_session(desk.sessions) as s:
        for _ in range(count):
            s.add(LoginAttempt(email=email, client=client, ok=False, at=utcnow()))


def _login(desk: Desk, email: str, password: str, client: str) -> str | int:
    """``"ok"``, 401 or the 429's seconds to wait."""
    try:
        with write_session(desk.sessions) as s:
            accounts.authenticate(s, email=email, password=password, client=client)
    except DeskError as error:
        if error.status == 429:
            seconds = error.params["seconds"]
            assert isinstance(seconds, int)
            return -seconds
        return error.status
    return "ok"


def test_the_wait_doubles_after_each_further_failure(desk: Desk, world: World) -> None:
    for _ in range(LIMITS.pair_free):
        assert _login(desk, VICTIM, "wrong", "10.0.0.9") == 401
    assert _login(desk, VICTIM, PASSWORD, "10.0.0.9") == -LIMITS.delay_base
    _age(desk, LIMITS.delay_base + 1)
    assert _login(desk, VICTIM, "wrong", "10.0.0.9") == 401
    assert _login(desk, VICTIM, "wrong", "10.0.0.9") == -2 * LIMITS.delay_base
    _age(desk, 2 * LIMITS.delay_base + 1)
    assert _login(desk, VICTIM, "wrong", "10.0.0.9") == 401
    assert _login(desk, VICTIM, "wrong", "10.0.0.9") == -4 * LIMITS.delay_base
    # The wait never exceeds the cap, however many failures.
    _fail(desk, VICTIM, "10.0.0.9", 40)
    assert _login(desk, VICTIM, "wrong", "10.0.0.9") == -LIMITS.delay_cap
    # Once the wait is over the right password works and clears that client's failures.
    _age(desk, LIMITS.delay_cap + 1)
    assert _login(desk, VICTIM, PASSWORD, "10.0.0.9") == "ok"
    assert _login(desk, VICTIM, "wrong", "10.0.0.9") == 401


def test_a_client_spraying_many_addresses_is_limited(desk: Desk, world: World) -> None:
    for i in range(LIMITS.client_max):
        _fail(desk, f"user{i}@example.test", "10.0.0.50", 1)
    wait = _login(desk, "supervisor@example.test", PASSWORD, "10.0.0.50")
    assert isinstance(wait, int) and 0 < -wait <= LIMITS.window.total_seconds()
    # Another client is not affected.
    assert _login(desk, "supervisor@example.test", PASSWORD, "10.0.0.51") == "ok"


def test_many_attacking_clients_never_lock_the_owner_out(desk: Desk, world: World) -> None:
    for i in range(LIMITS.address_max):
        _fail(desk, VICTIM, f"10.1.{i // 200}.{i % 200}", 1)
    # A client that has failed for the address waits ...
    wait = _login(desk, VICTIM, PASSWORD, "10.1.0.1")
    assert isinstance(wait, int) and wait < 0
    # ... the owner, from a client with no failure for it, gets in.
    assert _login(desk, VICTIM, PASSWORD, "192.0.2.10") == "ok"


def test_forwarded_for_is_ignored_from_an_untrusted_peer(client: TestClient, world: World) -> None:
    # The test client's peer is not a trusted proxy: a new X-Forwarded-For each time
    # does not give a new allowance.
    for i in range(LIMITS.pair_free):
        r = client.post(
            "/api/v1/auth/token",
            json={"email": VICTIM, "password": "wrong"},
            headers={"X-Forwarded-For": f"192.0.2.{i}"},
        )
        assert r.status_code == 401
    r = client.post(
        "/api/v1/auth/token",
        json={"email": VICTIM, "password": "wrong"},
        headers={"X-Forwarded-For": "192.0.2.200"},
    )
    assert r.status_code == 429


def test_forwarded_for_is_honoured_from_a_trusted_proxy(live: str) -> None:
    with httpx.Client(timeout=60) as http:
        for _ in range(LIMITS.pair_free):
            assert _post(http, live, VICTIM, "wrong", ATTACKER_IP).status_code == 401
        assert _post(http, live, VICTIM, "wrong", ATTACKER_IP).status_code == 429
        # Behind the proxy another client is another client.
        assert _post(http, live, VICTIM, PASSWORD, OWNER_IP).status_code == 200
        # A client cannot escape by prepending an address: the right-most untrusted one counts.
        spoofed = f"{OWNER_IP}, {ATTACKER_IP}"
        assert _post(http, live, VICTIM, "wrong", spoofed).status_code == 429


def test_client_address_takes_the_right_most_untrusted_hop() -> None:
    trusted = parse_trusted("10.0.0.0/8, 127.0.0.1")
    assert client_address("127.0.0.1", "1.2.3.4, 10.0.0.3", trusted) == "1.2.3.4"
    assert client_address("127.0.0.1", "9.9.9.9, 1.2.3.4", trusted) == "1.2.3.4"
    assert client_address("5.6.7.8", "1.2.3.4", trusted) == "5.6.7.8"
    assert client_address("127.0.0.1", None, trusted) == "127.0.0.1"
    assert client_address("127.0.0.1", "garbage", trusted) == "127.0.0.1"
    assert client_address("127.0.0.1", "10.0.0.2, 10.0.0.3", trusted) == "10.0.0.2"
    assert client_address(None, "1.2.3.4", trusted) == "unknown"
    assert client_address("127.0.0.1", "1.2.3.4", ()) == "127.0.0.1"
    assert parse_trusted("") == ()
    assert parse_trusted("::1") == (ipaddress.ip_network("::1"),)
    with pytest.raises(ValueError, match="not-an-ip"):
        parse_trusted("10.0.0.1, not-an-ip")


def test_reset_link_guessing_is_limited(client: TestClient, world: World) -> None:
    for _ in range(LIMITS.reset_max):
        r = client.post("/api/v1/reset", json={"token": "guess", "new_password": "a long password"})
        assert r.status_code == 400
    r = client.post("/api/v1/reset", json={"token": "guess", "new_password": "a long password"})
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) > 0
