"""The production way to serve: nginx in front of two gunicorn instances sharing one Redis.

``make serve`` runs ``python -m deploy.serve``: it writes the configuration from
``deploy/nginx.conf`` and ``deploy/redis.conf`` into a run folder (``SERVE_DIR``, default
``var/serve``), starts Redis (unless ``CACHE_REDIS_URL`` names the council's own), two gunicorn
instances on free loopback ports (``gunicorn.conf.py``, ``TRUSTED_PROXIES=1``, the same
``SECRET_KEY``), then nginx (Debian's package, never the system service) on ``HOST:PORT``; and
stops them all on Ctrl-C or SIGTERM. Every process logs into the run folder.

:func:`start` does the same for a test or a benchmark and returns a :class:`Stack` to stop.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
MIME_TYPES = ("/etc/nginx/mime.types", "/usr/local/etc/nginx/mime.types")


class Config(Template):
    """deploy/*.conf: ``@{name}`` placeholders (nginx's own variables keep their ``$``)."""

    delimiter = "@"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, what: str, log: Path,
                   host: str = "127.0.0.1", timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            raise RuntimeError(f"{what} exited ({proc.returncode}): {tail}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on {host}:{port} in {timeout:.0f} s")


def _binary(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin")
    if not found:
        raise RuntimeError(f"{name} is not installed: `make system-deps` installs Debian's "
                           f"package (apt-get install {name})")
    return found


def nginx_config(run_dir: Path, listen: str, upstreams: list[int],
                 per_client_connections: int = 64) -> str:
    """deploy/nginx.conf with this run's values."""
    mime = next((m for m in MIME_TYPES if Path(m).exists()), None)
    if mime is None:
        raise RuntimeError("nginx's mime.types was not found (is Debian's nginx installed?)")
    user = os.environ.get("NGINX_USER", "www-data")
    return Config((HERE / "nginx.conf").read_text(encoding="utf-8")).substitute(
        user_line=f"user {user};" if os.geteuid() == 0 else "# (not root: no user switch)",
        run_dir=run_dir, mime_types=mime, listen=listen,
        per_client_connections=per_client_connections,
        upstream_servers="\n".join(f"        server 127.0.0.1:{p};" for p in upstreams))


@dataclass
class Stack:
    """The running processes, newest last; ``url`` is nginx's address."""

    url: str
    run_dir: Path
    redis_url: str
    instances: list[str]
    procs: list[tuple[str, subprocess.Popen]] = field(default_factory=list)

    def stop(self) -> None:
        """Stop nginx first (no new requests), then gunicorn, then Redis."""
        for _, proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for _, proc in reversed(self.procs):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)

    def pids(self, name: str) -> list[int]:
        return [p.pid for n, p in self.procs if n == name]


def start(host: str = "127.0.0.1", port: int = 8050, run_dir: Path | str = "var/serve",
          env: dict[str, str] | None = None, instances: int = 2,
          per_client_connections: int = 64) -> Stack:
    """Start Redis (unless CACHE_REDIS_URL is set), ``instances`` gunicorn instances and nginx
    on ``host:port``. ``env`` adds to the process environment for the app."""
    run_dir = Path(run_dir)
    run_dir = (run_dir if run_dir.is_absolute() else ROOT / run_dir).resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    app_env = {**os.environ, **(env or {})}
    stack = Stack(url=f"http://{host}:{port}", run_dir=run_dir, redis_url="", instances=[])
    try:
        redis_url = app_env.get("CACHE_REDIS_URL", "")
        if not redis_url:
            redis_port = free_port()
            conf = run_dir / "redis.conf"
            conf.write_text(Config((HERE / "redis.conf").read_text(encoding="utf-8"))
                            .substitute(port=redis_port, run_dir=run_dir,
                                        maxmemory=app_env.get("REDIS_MAXMEMORY", "256mb")),
                            encoding="utf-8")
            log = run_dir / "redis.log"
            proc = subprocess.Popen(  # noqa: S603 - fixed argv
                [_binary("redis-server"), str(conf)], stdout=log.open("wb"),
                stderr=subprocess.STDOUT)
            stack.procs.append(("redis", proc))
            _wait_for_port(redis_port, proc, "redis-server", log)
            redis_url = f"redis://127.0.0.1:{redis_port}/0"
        stack.redis_url = redis_url
        app_env.update({"CACHE_REDIS_URL": redis_url, "TRUSTED_PROXIES": "1"})
        # every instance must sign the session cookie alike
        app_env.setdefault("SECRET_KEY", secrets.token_hex(32))
        ports = [free_port() for _ in range(instances)]
        for i, gport in enumerate(ports):
            log = run_dir / f"gunicorn-{i + 1}.log"
            proc = subprocess.Popen(  # noqa: S603 - fixed argv
                [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
                 "--bind", f"127.0.0.1:{gport}", "dashboard.app:server"],
                cwd=ROOT, env=app_env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
            stack.procs.append(("gunicorn", proc))
            stack.instances.append(f"http://127.0.0.1:{gport}")
        for i, gport in enumerate(ports):
            _wait_for_port(gport, stack.procs[-instances + i][1], "gunicorn",
                           run_dir / f"gunicorn-{i + 1}.log", timeout=120)
        listen = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        conf = run_dir / "nginx.conf"
        conf.write_text(nginx_config(run_dir, listen, ports, per_client_connections),
                        encoding="utf-8")
        nginx = _binary("nginx")
        log = run_dir / "nginx-error.log"
        test = subprocess.run(  # noqa: S603 - fixed argv
            [nginx, "-t", "-q", "-p", str(run_dir), "-e", str(log), "-c", str(conf)],
            capture_output=True, text=True)
        if test.returncode != 0:
            raise RuntimeError(f"nginx refused {conf}: {test.stderr.strip()}")
        errors = run_dir / "nginx-stderr.log"
        proc = subprocess.Popen(  # noqa: S603 - fixed argv
            [nginx, "-p", str(run_dir), "-e", str(log), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=errors.open("wb"))
        stack.procs.append(("nginx", proc))
        reach = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104 - a check, not a bind
        _wait_for_port(port, proc, "nginx", errors, host=reach)
    except BaseException:
        stack.stop()
        raise
    return stack


def main() -> int:
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8050"))
    stack = start(host, port, os.environ.get("SERVE_DIR", "var/serve"),
                  instances=int(os.environ.get("SERVE_INSTANCES", "2")))
    print(f"serving on {stack.url}: nginx -> {', '.join(stack.instances)}; "
          f"Redis {stack.redis_url}; logs in {stack.run_dir}", flush=True)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    try:
        while not stopping and all(p.poll() is None for _, p in stack.procs):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    dead = [n for n, p in stack.procs if p.poll() is not None]
    stack.stop()
    if dead and not stopping:
        print(f"stopped: {', '.join(dead)} exited (see {stack.run_dir})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
