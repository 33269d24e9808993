"""gunicorn's settings, read from the environment. gunicorn loads ./gunicorn.conf.py by itself:

    .venv/bin/gunicorn wsgi:app

| variable | meaning | default |
| --- | --- | --- |
| `WEB_CONCURRENCY` | worker processes | 2 × CPUs + 1 |
| `GUNICORN_THREADS` | threads per worker | 1 |
| `GUNICORN_BIND` | address(es) to listen on, comma-separated | `0.0.0.0:${PORT:-8000}` |
| `GUNICORN_TIMEOUT` | seconds a request may take before its worker is restarted | 60 |
| `GUNICORN_ACCESS_LOG` | where the access log goes (`-`: standard output; empty: none) | `-` |
| `FORWARDED_ALLOW_IPS` | proxies trusted for X-Forwarded-Proto/For, comma-separated | `127.0.0.1` |
| `LOG_LEVEL` | gunicorn's own log level, and Forum's | `INFO` |

See docs/deployment.md.
"""

import gc
import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SystemExit(f"{name}={value!r} is not a whole number") from None
    if number < 1:
        raise SystemExit(f"{name}={value!r} must be at least 1")
    return number


bind = [
    address.strip()
    for address in os.environ.get(
        "GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}"
    ).split(",")
    if address.strip()
]
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
threads = _int("GUNICORN_THREADS", 1)
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
# The app is loaded once, in the master, with its templates compiled, and its objects frozen out
# of the garbage collector's reach (`when_ready`): the workers forked from it share those pages
# instead of each holding a copy, and never compile a template in a request. Nothing in the app
# starts a thread or opens a connection when it is created (the in-process job thread starts
# with a worker's first job; `post_fork` drops any pooled connection all the same).
preload_app = True

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
# Client, request line, status, bytes, duration in milliseconds, referrer, user agent.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").strip().lower()

# Behind a load balancer or reverse proxy that terminates HTTPS.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker) -> None:
    """Send no `Server: gunicorn` header: it tells a scanner what to try, and Forum's own
    responses name no server either. gunicorn writes it in `Response.default_headers`, which has
    no setting, so each worker drops that line there (checked with gunicorn 27)."""
    from gunicorn.http import wsgi

    default_headers = wsgi.Response.default_headers
    if getattr(default_headers, "without_server", False):
        return

    def without_server(self) -> list[str]:
        return [line for line in default_headers(self) if not line.startswith("Server:")]

    without_server.without_server = True  # type: ignore[attr-defined]
    wsgi.Response.default_headers = without_server  # type: ignore[method-assign]


def when_ready(server) -> None:
    """Before the first fork: compile the preloaded app's templates, read the glossary (about
    80 MB of lookups, which each worker would otherwise build on its first search or save: 0.4 s
    of that request) and Kiwi's model (about 240 MB, and 1 to 2 s of a worker's first Korean
    text), then freeze every object made so far (`gc.freeze`): a worker's collections no longer
    walk them, and so no longer write to (and copy) the pages they share with the master and the
    other workers. Kiwi analyses nothing here: its threads start at its first analysis, and
    threads do not survive a fork (docs/deployment.md)."""
    from forum.services import text
    from forum.templating import compile_templates

    compiled = compile_templates(server.app.wsgi())
    text.read_before_forking()
    gc.collect()
    gc.freeze()
    server.log.info(
        "templates compiled: %d; glossary and Kiwi read; objects frozen: %d",
        compiled,
        gc.get_freeze_count(),
    )


def post_fork(server, worker) -> None:
    """A worker opens its own database connections (none is shared across the fork), and starts
    Kiwi's analysis (its threads, the rest of its model) before its first request, not in it."""
    from forum.extensions import db
    from forum.services import text

    app = server.app.wsgi()
    with app.app_context():
        db.engine.dispose(close=False)
    text.start_analysing()
    server.log.info("worker %s: Kiwi analysing", worker.pid)
