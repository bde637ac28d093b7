"""Staff responses are never stored on the way (``Cache-Control: private, no-store`` with
``Vary`` on what names the user), the Flask site's and the staff dashboard's under /staff/
alike; forged callback bodies and bad component paths are refused; rate limits count per real
client address, shared by two instances through one real Redis."""

from __future__ import annotations

import pytest
import requests
from flask import Flask, request

from dashboard import security
from tests.auth_users import write_users_file
from tests.conftest import start_gunicorn, stop
from tests.perf.test_cache import redis_url  # noqa: F401 - a real redis-server per test

STAFF_URLS = [
    "/", "/area/OLDER", "/staff/director", "/staff/scenarios", "/staff/area",
    "/staff/_dash-layout", "/staff/_dash-dependencies", "/staff/nope", "/spillover",
    "/api/v1/datasets",
    "/api/v1/datasets/investment-areas", "/api/v1/datasets/supplier-spend.csv?limit=5",
    "/download/director-budget.csv?dept=ASC&year=2024/25",
    "/download/scenario.csv?scenario=close-luncheon-clubs",
    "/download/overview.csv", "/no-such-page", "/download/nope.csv", "/api/v1/datasets/nope",
]


@pytest.fixture(scope="module")
def staff(warehouse_file, tmp_path_factory):
    base = tmp_path_factory.mktemp("staff")
    proc, url = start_gunicorn(warehouse_file, extra_env={
        "AUTH_MODE": "header", "AUTH_USERS_FILE": str(write_users_file(base / "users.yaml")),
        "DRAFTS_PATH": str(base / "drafts.sqlite3"), "SECRET_KEY": "test-secret",
        "RATE_LIMIT": "100000 per minute", "SESSION_COOKIE_SECURE": "0"})
    yield url
    stop(proc)


@pytest.mark.parametrize("path", STAFF_URLS)
def test_every_staff_response_is_private_and_not_stored(staff, path):
    r = requests.get(staff + path, headers={"X-Remote-User": "dora"}, timeout=60)
    assert r.status_code in (200, 400, 404), (path, r.status_code)
    assert r.headers["Cache-Control"] == "private, no-store", path
    vary = {v.strip().lower() for v in r.headers.get("Vary", "").split(",")}
    assert {"cookie", "x-remote-user"} <= vary, path
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_refusals_and_callbacks_are_private_too(staff):
    r = requests.get(staff + "/", timeout=30)  # nobody signed in
    assert r.status_code == 401 and r.headers["Cache-Control"] == "private, no-store"
    r = requests.post(staff + "/staff/_dash-update-component", json={"output": "x"},
                      headers={"X-Remote-User": "dora"}, timeout=30)
    assert r.status_code < 500 and r.headers["Cache-Control"] == "private, no-store"
    for old in ("/scenarios", "/director"):  # moved to /staff/: the redirect too
        r = requests.get(staff + old, headers={"X-Remote-User": "dora"},
                         allow_redirects=False, timeout=30)
        assert r.status_code == 308 and r.headers["Cache-Control"] == "private, no-store"


FORGED_BODIES = [{}, [], "x", 7, {"output": "x"}, {"output": "x", "outputs": [], "inputs": []},
                 {"output": "a.b", "outputs": {"id": "a", "property": "b"}, "inputs": "zz"},
                 {"output": "_pages_content.children",
                  "outputs": {"id": "_pages_content", "property": "children"},
                  "inputs": [{"id": "x"}]}]


@pytest.mark.parametrize("body", FORGED_BODIES)
def test_forged_callback_bodies_are_refused_with_400(staff, body):
    r = requests.post(staff + "/staff/_dash-update-component", json=body,
                      headers={"X-Remote-User": "dora"}, timeout=30)
    assert r.status_code == 400 and "Traceback" not in r.text


def test_bad_component_suite_paths_are_not_found(staff):
    for path in ("dash/deps/react@18.js", "dash/no/such.js", "nosuchpackage/x.js",
                 "dash/%2e%2e/%2e%2e/etc/passwd", "dash_bootstrap_components/x.v9m9.js"):
        r = requests.get(f"{staff}/staff/_dash-component-suites/{path}",
                         headers={"X-Remote-User": "dora"}, timeout=30)
        assert r.status_code == 404, (path, r.status_code)
        assert "Traceback" not in r.text


def test_proxy_headers_are_read_only_from_trusted_proxies():
    app = Flask(__name__)
    app.add_url_rule("/", "who", lambda: request.remote_addr)
    forwarded = {"X-Forwarded-For": "198.51.100.9, 203.0.113.7"}
    assert app.test_client().get("/", headers=forwarded).text == "127.0.0.1"
    security.trust_proxies(app, 1)  # one proxy (nginx): the address it saw
    assert app.test_client().get("/", headers=forwarded).text == "203.0.113.7"
    with pytest.raises(ValueError):
        security.trust_proxies(app, -1)


def test_the_rate_limit_is_shared_by_two_instances_and_is_per_client(warehouse_file,
                                                                     redis_url):  # noqa: F811
    env = {"CACHE_REDIS_URL": redis_url, "RATE_LIMIT": "30 per minute", "TRUSTED_PROXIES": "1"}
    first, url1 = start_gunicorn(warehouse_file, mode="internal", extra_env=env)
    second, url2 = start_gunicorn(warehouse_file, mode="internal", extra_env=env)
    try:
        codes = []
        for i in range(100):
            r = requests.get((url1, url2)[i % 2] + "/api/v1/datasets",
                             headers={"X-Forwarded-For": "203.0.113.7"}, timeout=30)
            codes.append(r.status_code)
        assert codes.count(200) == 30 and codes.count(429) == 70, codes
        assert codes[:30] == [200] * 30
        # another client behind the same proxy is not throttled by the first
        r = requests.get(url2 + "/api/v1/datasets", headers={"X-Forwarded-For": "203.0.113.8"},
                         timeout=30)
        assert r.status_code == 200
    finally:
        stop(first)
        stop(second)
