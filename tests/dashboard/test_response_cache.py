"""The whole-response cache: repeat callback requests for public pages are answered from the
cache; nothing user- or draft-dependent is ever cached; a warehouse swap or another user misses."""

from __future__ import annotations

import json

import pytest

from dashboard import response_cache

CALLBACK = "/_dash-update-component"


def routing_body(pathname: str, search: str = "") -> bytes:
    """The Dash Pages routing request a browser sends when it opens ``pathname``."""
    return json.dumps({
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"},
                    {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                   {"id": "_pages_location", "property": "search", "value": search}],
        "changedPropIds": ["_pages_location.pathname", "_pages_location.search"],
    }).encode()


def post(client, body: bytes, encoding: str = "br"):
    return client.post(CALLBACK, data=body, content_type="application/json",
                       headers={"Accept-Encoding": encoding})


@pytest.fixture()
def fresh(dash_app):
    from dashboard import data

    with dash_app.server.app_context():
        data.cache.clear()
    client = dash_app.server.test_client()
    client.get("/")  # Dash collects the page callbacks on its first request
    return client


def test_repeat_area_request_is_a_hit_with_the_same_bytes_and_headers(fresh):
    body = routing_body("/area/OLDER", "?terms=real")
    first, second = post(fresh, body), post(fresh, body)
    assert first.status_code == second.status_code == 200
    assert first.headers["X-Cache"] == "miss" and second.headers["X-Cache"] == "hit"
    assert first.data == second.data
    assert second.headers["Content-Encoding"] == first.headers["Content-Encoding"] == "br"
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Request-Id"):
        assert second.headers.get(name), name
    assert "Accept-Encoding" in second.headers["Vary"]


def test_each_encoding_is_its_own_entry(fresh):
    body = routing_body("/spillover")
    assert post(fresh, body, "br").headers["X-Cache"] == "miss"
    gz = post(fresh, body, "gzip")
    assert gz.headers["X-Cache"] == "miss" and gz.headers["Content-Encoding"] == "gzip"
    assert post(fresh, body, "gzip").headers["X-Cache"] == "hit"


def test_a_warehouse_swap_misses(fresh, monkeypatch):
    from dashboard import data

    body = routing_body("/")
    post(fresh, body)
    assert post(fresh, body).headers["X-Cache"] == "hit"
    monkeypatch.setattr(data, "version", lambda: "another warehouse")
    assert post(fresh, body).headers["X-Cache"] == "miss"


@pytest.mark.parametrize("path", ["/scenarios", "/director", "/area/OLDER/../../scenarios",
                                  "/nope"])
def test_internal_and_unknown_pages_are_never_cached(fresh, path):
    body = routing_body(path)
    for _ in range(2):
        r = post(fresh, body)
        assert "X-Cache" not in r.headers, path


def test_a_refused_callback_is_not_stored(fresh, dash_app):
    key = next(k for k in dash_app.callback_map if "area-headline.children" in k)
    spec = dash_app.callback_map[key]
    values = {"area-year": "1900/01", "area-terms": "cash", "area-benchmark": "england",
              "area-level": "95", "area-service": "", "area-code": "OLDER"}
    body = json.dumps({
        "output": key,
        "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]}
                    for o in key.strip(".").split("...")],
        "inputs": [{**i, "value": values.get(i["id"])} for i in spec["inputs"]],
        "state": [{**s, "value": values.get(s["id"])} for s in spec["state"]],
        "changedPropIds": ["area-year.value"],
    }).encode()
    assert response_cache.cacheable(json.loads(body))
    for _ in range(2):
        r = post(fresh, body)
        assert r.status_code == 204 and "X-Cache" not in r.headers


def test_cacheable_is_an_allow_list():
    ok = json.loads(routing_body("/area/OLDER"))
    assert response_cache.cacheable(ok)
    pattern = {**ok, "outputs": [{"id": {"type": "x", "index": 1}, "property": "children"}]}
    mixed = {**ok, "outputs": [{"id": "area-headline", "property": "children"},
                               {"id": "scenarios-save-msg", "property": "children"}]}
    for bad in (None, [], "text", {}, pattern, mixed,
                json.loads(routing_body("/area/OLDER/more")),
                json.loads(routing_body("/area/")),
                {**ok, "inputs": [{"value": ["/"]}]}, {**ok, "inputs": "x"}):
        assert not response_cache.cacheable(bad), bad


def test_key_differs_by_user_version_and_body(dash_app, monkeypatch):
    from dashboard import auth, data

    with dash_app.server.test_request_context("/"):
        base = response_cache.key_for(b"{}", "br")
        assert response_cache.key_for(b"{}", "br") == base
        assert response_cache.key_for(b"{ }", "br") != base
        assert response_cache.key_for(b"{}", "gzip") != base
        monkeypatch.setattr(auth, "current_user", lambda: auth.User("someone", "director"))
        assert response_cache.key_for(b"{}", "br") != base
        monkeypatch.setattr(data, "version", lambda: "v2")
        assert response_cache.key_for(b"{}", "br") != base


def test_padding_a_body_makes_no_new_entry(fresh):
    body = json.loads(routing_body("/methods"))
    assert post(fresh, json.dumps(body).encode()).headers["X-Cache"] == "miss"
    padded = json.dumps({**body, "pad": "x" * 100}, indent=2).encode()
    assert post(fresh, padded).headers["X-Cache"] == "hit"


def test_the_callback_dash_runs_must_be_on_the_list(fresh, dash_app):
    """Dash runs the callback ``output`` names: shared-looking ``outputs`` do not make another
    callback cacheable."""
    other = next(k for k in dash_app.callback_map if "director-" in k or "scenarios-" in k)
    body = {**json.loads(routing_body("/area/OLDER")), "output": other}
    assert not response_cache.cacheable(body)
    shared = next(k for k in dash_app.callback_map if "area-headline.children" in k)
    assert response_cache.cacheable({**body, "output": shared,
                                     "outputs": [{"id": "area-headline", "property": "children"}]})
