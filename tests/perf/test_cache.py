"""Caching and compression, not timing: two gunicorn instances share one real Redis and a
warehouse swap invalidates it (Redis itself is inspected); static files are served
pre-compressed with long cache headers; pages are compressed."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import time
import uuid

import brotli
import duckdb
import pytest
import redis
import requests

from tests.conftest import _free_port, start_gunicorn, stop

PREFIX = "obd:"
@pytest.fixture()
def redis_url():
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: `make test` installs it "
                    "(apt-get install redis-server)")
    port = _free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    client = redis.Redis(port=port)
    deadline = time.time() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.time() > deadline:
                proc.kill()
                pytest.fail("redis-server did not start in 10 s")
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


def _keys(r: redis.Redis) -> set[bytes]:
    return set(r.scan_iter(match=PREFIX + "*"))


def _writes(r: redis.Redis) -> int:
    stats = r.info("commandstats")
    return sum(v["calls"] for k, v in stats.items()
               if k.split("_", 1)[-1] in ("set", "setex", "psetex", "mset"))


def _draw_overview(url: str) -> None:
    r = requests.get(f"{url}/", timeout=30)
    assert r.status_code == 200, r.text[:300]
    assert "overview-title" in r.text


def _swap(path) -> str:
    """Replace the served file atomically with a copy that has a new build id."""
    new_id = uuid.uuid4().hex
    tmp = path.with_name(f".{path.name}.swap")
    shutil.copyfile(path, tmp)
    con = duckdb.connect(str(tmp))
    con.execute("update build_info set build_id = $id", {"id": new_id})
    con.execute("checkpoint")
    con.close()
    os.replace(tmp, path)
    return new_id


def test_two_instances_share_redis_and_a_swap_uses_new_keys(warehouse_file, tmp_path,
                                                             redis_url):
    served = tmp_path / "warehouse.duckdb"
    shutil.copyfile(warehouse_file, served)
    r = redis.Redis.from_url(redis_url)
    env = {"CACHE_REDIS_URL": redis_url, "RATE_LIMIT": "100000 per minute"}
    a, url_a = start_gunicorn(served, extra_env=env)
    try:
        b, url_b = start_gunicorn(served, extra_env=env)
        try:
            _draw_overview(url_a)
            first = _keys(r)
            assert first, "instance A cached nothing in Redis"

            writes, hits = _writes(r), r.info("stats")["keyspace_hits"]
            _draw_overview(url_b)
            assert _keys(r) == first, "instance B wrote new cache entries for the same view"
            assert _writes(r) == writes, "instance B missed the cache A filled"
            assert r.info("stats")["keyspace_hits"] > hits

            _swap(served)
            _draw_overview(url_a)
            after = _keys(r)
            assert after > first, "after a warehouse swap the same view reused the old keys"
            _draw_overview(url_b)
            assert _keys(r) == after, "instance B did not find A's entries for the new build"
        finally:
            stop(b)
    finally:
        stop(a)


def test_memoize_caches_by_arguments_and_version(app):
    from dashboard import data

    calls = []

    @data.memoize
    def square(n: int) -> int:
        calls.append(n)
        return n * n

    with app.app_context():
        assert square(3) == 9 and square(3) == 9 and square(4) == 16
    assert calls == [3, 4]


def test_static_files_are_served_compressed_with_long_cache_headers(client):
    page = client.get("/staff/director").get_data(as_text=True)  # the staff dashboard (Dash)
    script = re.search(r'src="(/staff/_dash-component-suites/[^"]+\.js)"', page).group(1)
    for enc in ("br", "gzip"):
        r = client.get(script, headers={"Accept-Encoding": enc})
        assert r.status_code == 200
        assert r.headers["Content-Encoding"] == enc
        assert "immutable" in r.headers["Cache-Control"]
        assert "Accept-Encoding" in r.headers["Vary"]
    plain = client.get(script)
    assert "Content-Encoding" not in plain.headers
    packed = client.get(script, headers={"Accept-Encoding": "br"}).data
    assert brotli.decompress(packed) == plain.data


def test_pages_are_compressed_when_the_browser_accepts_it(client):
    r = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert r.headers["Content-Encoding"] == "gzip"
    assert b"<!DOCTYPE html>" in gzip.decompress(r.data)


def test_a_kept_page_is_compressed_once_and_sent_as_it_is(client, monkeypatch):
    from dashboard import security

    plain = client.get("/area/OLDER").get_data(as_text=True)
    assert plain.startswith("<!DOCTYPE html>")
    packs = []
    real = security.pack
    monkeypatch.setattr(security, "pack", lambda *a: packs.append(a[1]) or real(*a))
    for enc, unpack in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        bodies = []
        for _ in range(3):
            r = client.get("/area/OLDER?terms=real", headers={"Accept-Encoding": enc})
            assert r.status_code == 200 and r.headers["Content-Encoding"] == enc
            assert "Accept-Encoding" in r.headers["Vary"]
            bodies.append(r.data)
        assert bodies[0] == bodies[1] == bodies[2]
        assert unpack(bodies[0]).decode().startswith("<!DOCTYPE html>")
    assert packs == ["br", "gzip"]  # once per encoding, however often the page is asked for
    # the page a reader without compression gets is the same page
    same = client.get("/area/OLDER?terms=real", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in same.headers
    assert gzip.decompress(bodies[0]) == same.data  # bodies: the gzip ones, last in the loop


def test_kept_is_a_bounded_lru():
    from dashboard.data import Kept

    kept = Kept(2)
    kept.put("a", 1)
    kept.put("b", 2)
    assert kept.get("a") == 1  # "a" is now the most recent
    kept.put("c", 3)
    assert kept.get("b") is None and kept.get("a") == 1 and kept.get("c") == 3


def test_two_apps_on_files_with_one_build_id_never_share_kept_answers(warehouse_file, tmp_path):
    """A public and an internal app in one process can read files that carry the same build id
    (publish keeps it): what a worker keeps is keyed by the file too."""
    from dashboard.factory import create_app
    from dashboard.settings import Settings

    other = tmp_path / "other.duckdb"
    shutil.copyfile(warehouse_file, other)
    con = duckdb.connect(str(other))
    con.execute("update build_info set borough_name = 'Elsewhere (demo)'")  # same build id
    con.execute("checkpoint")
    con.close()
    first = create_app(Settings(mode="internal", warehouse_path=str(warehouse_file)))
    second = create_app(Settings(mode="public", warehouse_path=str(other)))
    for _ in range(2):
        assert "Elsewhere" not in first.test_client().get("/").get_data(as_text=True)
        assert "Elsewhere (demo)" in second.test_client().get("/").get_data(as_text=True)
