"""Sign-in modes: the role comes from the server (users file, session), never from the page."""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from werkzeug.security import generate_password_hash

from tests.conftest import start_gunicorn, stop


@pytest.fixture(scope="module")
def users_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("auth") / "users.yaml"
    path.write_text(
        "users:\n"
        f"  - name: dora\n    role: director\n    departments: [ASC]\n"
        f"    password_hash: \"{generate_password_hash('correct horse')}\"\n"
        "  - name: cath\n    role: cabinet\n",
        encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def basic_server(warehouse_file, users_file):
    proc, url = start_gunicorn(warehouse_file, extra_env={
        "AUTH_MODE": "basic", "AUTH_USERS_FILE": str(users_file), "SECRET_KEY": "test-secret"})
    yield url
    stop(proc)


def test_basic_auth_needs_valid_credentials(basic_server):
    assert requests.get(basic_server + "/", timeout=10).status_code == 401
    assert requests.get(basic_server + "/", auth=("dora", "wrong"), timeout=10).status_code == 401
    assert requests.get(basic_server + "/", auth=("nobody", "x"), timeout=10).status_code == 401
    ok = requests.get(basic_server + "/", auth=("dora", "correct horse"), timeout=10)
    assert ok.status_code == 200
    # callbacks and the API are behind the same sign-in
    assert requests.post(basic_server + "/staff/_dash-update-component", json={},
                         timeout=10).status_code == 401
    assert requests.get(basic_server + "/api/v1/datasets", timeout=10).status_code == 401


@pytest.fixture(scope="module")
def header_server(warehouse_file, users_file):
    proc, url = start_gunicorn(warehouse_file, extra_env={
        "AUTH_MODE": "header", "AUTH_USERS_FILE": str(users_file), "SECRET_KEY": "test-secret"})
    yield url
    stop(proc)


def test_trusted_header_user_must_be_known(header_server):
    assert requests.get(header_server + "/", timeout=10).status_code == 401
    assert requests.get(header_server + "/", headers={"X-Remote-User": "mallory"},
                        timeout=10).status_code == 401
    # a role header from the browser means nothing: only the users file gives roles
    r = requests.get(header_server + "/", headers={"X-Remote-User": "cath",
                                                   "X-Remote-Role": "admin"}, timeout=10)
    assert r.status_code == 200


@pytest.fixture(scope="module")
def oidc_server(warehouse_file, users_file):
    proc, url = start_gunicorn(warehouse_file, extra_env={
        "AUTH_MODE": "oidc", "AUTH_USERS_FILE": str(users_file), "SECRET_KEY": "test-secret",
        "SESSION_COOKIE_SECURE": "0", "OIDC_ISSUER": "https://idp.council.example",
        "OIDC_AUTHORIZE_URL": "https://idp.council.example/authorize",
        "OIDC_TOKEN_URL": "https://idp.council.example/token",
        "OIDC_CLIENT_ID": "budget-dashboard", "OIDC_CLIENT_SECRET": "s3cret"})
    yield url
    stop(proc)


def test_oidc_redirects_to_the_identity_provider(oidc_server):
    first = requests.get(oidc_server + "/", allow_redirects=False, timeout=10)
    assert first.status_code == 302 and first.headers["Location"].endswith("/login")
    login = requests.get(oidc_server + "/login", allow_redirects=False, timeout=10)
    assert login.status_code == 302
    target = urlparse(login.headers["Location"])
    assert target.netloc == "idp.council.example" and target.path == "/authorize"
    query = parse_qs(target.query)
    assert query["client_id"] == ["budget-dashboard"]
    assert query["state"][0] and "openid" in query["scope"][0]


def test_oidc_callback_with_forged_state_is_refused(oidc_server):
    r = requests.get(oidc_server + "/auth/callback?code=abc&state=forged", timeout=10)
    assert r.status_code == 400
    assert "Traceback" not in r.text
    assert requests.post(oidc_server + "/staff/_dash-update-component", json={},
                         timeout=10).status_code == 401


@pytest.mark.parametrize("mode", ["header", "basic", "oidc", "HEADER"])
def test_staff_sign_in_needs_a_secret_key_for_the_form_tokens(mode, monkeypatch):
    import flask

    from dashboard import security
    from dashboard.settings import Settings

    settings = Settings(mode="internal", auth_mode=mode)
    with pytest.raises(ValueError, match="needs SECRET_KEY"):
        security.sessions(flask.Flask("x"), settings)
    app = flask.Flask("x")
    security.sessions(app, Settings(mode="internal", auth_mode=mode, secret_key="k"))
    assert app.secret_key == "k" and app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_the_gunicorn_config_makes_a_key_only_for_the_loopback_demo(monkeypatch):
    import runpy
    from pathlib import Path

    conf = str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py")
    for mode, made in (("none", True), ("header", False), ("basic", False)):
        env = {"AUTH_MODE": mode}  # the file sets the master's environment: a copy here
        monkeypatch.setattr(os, "environ", env)
        runpy.run_path(conf)
        assert bool(env.get("SECRET_KEY")) is made, mode
