"""The production stack (``make serve``: nginx, two gunicorn instances, one Redis), started from
the project's own files on a free loopback port: slow clients do not hold the app up, every
response carries the security headers (nginx's and gunicorn's errors too), and the rate limit
counts the real client, whatever X-Forwarded-For it sends."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

from dashboard import security
from deploy import serve

HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options",
           "Referrer-Policy", "Permissions-Policy", "Cross-Origin-Opener-Policy")


@pytest.fixture(scope="module")
def stack(warehouse_file, tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("serve")
    s = serve.start("127.0.0.1", serve.free_port(), run_dir, env={
        "WAREHOUSE_PATH": str(warehouse_file), "WEB_CONCURRENCY": "1",
        "RATE_LIMIT": "40 per minute", "NGINX_USER": "root"})
    yield s
    s.stop()


def _raw(url: str, payload: bytes, timeout: float = 10) -> str:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(payload)
        chunks = []
        while True:
            data = sock.recv(65536)
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks).decode("latin-1")


def _headers(raw: str) -> dict[str, str]:
    head = raw.split("\r\n\r\n", 1)[0].split("\r\n")[1:]
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in head)}


def test_two_instances_behind_nginx_share_one_redis(stack):
    assert len(stack.instances) == 2 and len(stack.pids("gunicorn")) == 2
    r = requests.get(stack.url + "/", timeout=60)
    assert r.status_code == 200
    for name in HEADERS:
        assert r.headers.get(name), name
    assert r.headers["Cache-Control"] == "private, no-store"
    assert r.headers["Content-Security-Policy"] == security.CSP  # the app's own, not doubled
    assert r.headers["Server"] == "nginx"  # no version
    # the staff dashboard (the Dash app under /staff/): its own policy, with Dash's hashes
    r = requests.get(stack.url + "/staff/scenarios", timeout=60)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "private, no-store"
    assert "'sha256-" in r.headers["Content-Security-Policy"]
    assert "default-src 'none'" not in r.headers["Content-Security-Policy"]


@pytest.mark.parametrize("payload,status", [
    (b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 414),
    (b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
     + b"".join(b"X-H%d: v\r\n" % i for i in range(150)) + b"\r\n", None),  # gunicorn's own
    (b"BREW / HTTP/1.1\r\n\r\n", 400),
    (b"GET /download/nope.csv HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 404),
])
def test_errors_carry_the_security_headers(stack, payload, status):
    raw = _raw(stack.url, payload)
    code = int(raw.split(" ", 2)[1])
    assert code == status if status else 400 <= code < 500, raw[:200]
    headers = _headers(raw)
    for name in HEADERS:
        assert headers.get(name), (name, raw[:600])
    assert headers.get("Cache-Control") in ("no-store", "private, no-store")
    assert "Traceback" not in raw


def _slow_client(url: str, stop: threading.Event) -> None:
    """Sends one header line a second and never finishes its request."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            i = 0
            while not stop.wait(1.0):
                sock.sendall(b"X-Slow-%d: y\r\n" % i)
                i += 1
    except OSError:
        pass  # nginx closed it (client_header_timeout)


def test_slow_header_clients_do_not_hold_up_other_clients(stack):
    stop = threading.Event()
    slow = [threading.Thread(target=_slow_client, args=(stack.url, stop)) for _ in range(2)]
    for t in slow:
        t.start()
    try:
        time.sleep(1.5)  # both are in the middle of their headers
        times = []
        for _ in range(6):
            t0 = time.monotonic()
            r = requests.get(stack.url + "/api/v1/datasets", timeout=10,
                             headers={"X-Forwarded-For": "192.0.2.50"})
            times.append(time.monotonic() - t0)
            assert r.status_code in (200, 429)
            time.sleep(0.5)
        assert max(times) < 1.0, times
    finally:
        stop.set()
        for t in slow:
            t.join(15)


def test_the_rate_limit_counts_the_real_client_not_its_forwarded_header(stack):
    codes = []
    for i in range(60):  # a different made-up address on every request
        r = requests.get(stack.url + "/api/v1/datasets", timeout=30,
                         headers={"X-Forwarded-For": f"198.51.100.{i}"})
        codes.append(r.status_code)
    assert codes.count(429) >= 20, codes  # 40 a minute for this one real client, all told
    assert codes[-1] == 429
    assert requests.get(stack.url + "/api/v1/datasets", timeout=30).headers["Retry-After"]
