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

# every worker must sign the session cookie (form tokens) with the same key: without a
# SECRET_KEY, one is made here, in the master, for this start (OIDC sign-in needs it set)
if not os.environ.get("SECRET_KEY") and os.environ.get("AUTH_MODE", "none") != "oidc":
    os.environ["SECRET_KEY"] = secrets.token_hex(32)
