"""gunicorn settings for the dashboard (``make run`` and the tests use this file)."""

import os
import secrets

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8050')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = 30
graceful_timeout = 10
limit_request_line = 8190
limit_request_field_size = 8190
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
preload_app = False

# the loopback demo (AUTH_MODE=none) needs no SECRET_KEY: one is made here, in the master, for
# this start, so every worker signs the session cookie (form tokens) alike. Staff sign-in modes
# must set SECRET_KEY themselves (the dashboard refuses to start without it).
_auth_mode = os.environ.get("AUTH_MODE", "none").strip().lower()
if not os.environ.get("SECRET_KEY") and _auth_mode == "none":
    os.environ["SECRET_KEY"] = secrets.token_hex(32)
