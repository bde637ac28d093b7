"""The production serving stack: nginx, Redis and two gunicorn instances (make serve)."""
