"""Whole-response cache for callbacks whose answer depends only on the request and the warehouse.

The public pages (overview, area, spill-over, methods, data, accessibility) draw nothing but
published warehouse data: the same callback request always gets the same answer until the
warehouse is swapped. Their callback responses are kept, compressed, in the shared cache
(``data.cache``: Redis when several instances share it), keyed by

    warehouse version + signed-in user + Accept-Encoding choice + sha256 of the request body

so a swap invalidates every entry, no user's answer is ever served to another, and a repeat
view costs a cache read instead of queries, layout building and JSON encoding.

What may be cached is an allow-list decided on the server, never by the request:

- Dash Pages' routing callback, only when the path belongs to a page registered with
  ``shared_cache=True`` (a page that reads drafts or depends on the user must not say so);
- page callbacks whose every output id a page has named with :func:`share`.

Only 200 answers are stored, so a refused (forged) request is never cached; the key is built
from the parts of the body that decide the answer (so padding a body makes no new entry), and
entries live RESPONSE_CACHE_TIMEOUT_S (a shared Redis should also run with a maxmemory limit and
an LRU eviction policy, as any cache open to the public should); the lookup runs
after sign-in and the rate limit, and the stored body has been through the same headers and
compression as any other response.
"""

from __future__ import annotations

import hashlib
import json
import re

import dash
from flask import Response, g, request

from dashboard import auth, data, settings

CALLBACK_PATH = "/_dash-update-component"
ROUTING_OUTPUTS = frozenset({"_pages_content", "_pages_store"})
_shared_ids: set[str] = set()


def share(*component_ids: str) -> None:
    """Declare that callbacks writing only to these components depend on the warehouse alone."""
    _shared_ids.update(component_ids)


def page_pattern(page: dict) -> re.Pattern:
    """A regex matching the paths of a registered page (path template variables: one segment)."""
    template = page.get("path_template") or page["path"]
    parts = re.split(r"<[^>]+>", template)
    return re.compile("^" + "[^/]+".join(re.escape(p) for p in parts) + "/?$")


def _shared_page(pathname) -> bool:
    if not isinstance(pathname, str) or len(pathname) > 200:
        return False
    for page in dash.page_registry.values():
        if page.get("shared_cache") and page_pattern(page).match(pathname):
            return True
    return False


def _output_ids(body: dict) -> set | None:
    outputs = body.get("outputs")
    outputs = [outputs] if isinstance(outputs, dict) else outputs
    if not isinstance(outputs, list) or not outputs:
        return None
    ids = set()
    for out in outputs:
        if not isinstance(out, dict) or not isinstance(out.get("id"), str):
            return None  # pattern-matching ids (dicts) are never shared
        ids.add(out["id"])
    return ids


def _shared_callbacks() -> frozenset:
    """The server's own keys of the callbacks that may be shared: Dash runs the callback named
    by ``body["output"]``, so that (not the client's ``outputs`` list) must be on the list."""
    keys = []
    for key in dash.get_app().callback_map:
        ids = {part.split(".")[0] for part in key.strip(".").split("...")}
        if ids <= ROUTING_OUTPUTS or ids <= _shared_ids:
            keys.append(key)
    return frozenset(keys)


def cacheable(body) -> bool:
    """Whether this callback request's answer is the same for everyone with the same body."""
    if not isinstance(body, dict):
        return False
    ids = _output_ids(body)
    if ids is None or body.get("output") not in _shared_callbacks():
        return False
    if ids <= ROUTING_OUTPUTS:
        inputs = body.get("inputs")
        first = inputs[0] if isinstance(inputs, list) and inputs else None
        return isinstance(first, dict) and _shared_page(first.get("value"))
    return ids <= _shared_ids


def canonical(body: dict) -> bytes:
    """The parts of a request that decide its answer; anything else a client adds is dropped,
    so padding a body cannot make new cache entries."""

    def values(items):
        return [[i.get("id"), i.get("property"), i.get("value")] if isinstance(i, dict) else i
                for i in (items if isinstance(items, list) else [])]

    return json.dumps([body.get("output"), values(body.get("inputs")),
                       values(body.get("state")), body.get("changedPropIds")],
                      sort_keys=True, separators=(",", ":"), default=str).encode()


def _encoding() -> str:
    accepted = request.headers.get("Accept-Encoding", "")
    from dashboard.security import brotli

    if brotli and "br" in accepted:
        return "br"
    return "gzip" if "gzip" in accepted else "identity"


def key_for(raw: bytes, encoding: str) -> str:
    user = auth.current_user()
    digest = hashlib.sha256()
    for part in (data.version(), user.name, user.role, encoding):
        digest.update(part.encode() + b"\0")
    digest.update(raw)
    return "response:" + digest.hexdigest()


def register_store(server) -> None:
    """Keep cacheable 200 answers. Register before the compression hook: Flask runs
    after-request hooks in reverse order, so this one sees the final, compressed body."""

    @server.after_request
    def store(response):
        key = getattr(g, "response_cache_key", None)
        if key and response.status_code == 200 and not response.direct_passthrough:
            data.cache.set(key, (response.get_data(), response.headers.get("Content-Type"),
                                 response.headers.get("Content-Encoding")),
                           timeout=int(settings.get("RESPONSE_CACHE_TIMEOUT_S")))
            if settings.mode() == "internal":  # public readers need not learn what was viewed
                response.headers["X-Cache"] = "miss"
        return response


def register_lookup(server) -> None:
    """Answer repeat requests from the cache. Register after sign-in and the rate limit."""
    value = settings.get("RESPONSE_CACHE").strip().lower()
    if value not in ("on", "off"):
        raise ValueError(f"RESPONSE_CACHE must be 'on' or 'off', not {value!r}")
    if value == "off":
        return

    @server.before_request
    def lookup():
        if request.method != "POST" or request.path != CALLBACK_PATH:
            return None
        raw = request.get_data(cache=True)
        try:
            body = json.loads(raw)
        except ValueError:
            return None  # Dash refuses it with its own error
        if not cacheable(body):
            return None
        encoding = _encoding()
        key = key_for(canonical(body), encoding)
        hit = data.cache.get(key)
        if hit is None:
            g.response_cache_key = key
            return None
        payload, mimetype, content_encoding = hit
        response = Response(payload, status=200, content_type=mimetype)
        if content_encoding:
            response.headers["Content-Encoding"] = content_encoding
        response.vary.add("Accept-Encoding")
        if settings.mode() == "internal":
            response.headers["X-Cache"] = "hit"
        return response
