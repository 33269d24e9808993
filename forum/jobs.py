"""Background work: RQ on Redis when REDIS_URL is set, else an in-process worker thread.

Jobs are named by dotted path ("forum.services.mail:deliver") so that an RQ worker in another
process can import them; each runs inside an application context with its own session.
"""

import importlib
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from flask import Flask, current_app
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()
_pending: set[Future] = set()
_worker_app: Flask | None = None
_AFTER_COMMIT_KEY = "jobs_after_commit"


def _resolve(name: str):
    module_name, _, attribute = name.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def outside_request(app: Flask):
    """A context in which url_for builds absolute links to BASE_URL, for jobs and commands."""
    return app.test_request_context(base_url=app.config["BASE_URL"])


def _run(app: Flask, name: str, args: tuple):
    from .extensions import db

    with outside_request(app):
        try:
            return _resolve(name)(*args)
        except Exception:
            log.exception("background job %s%r failed", name, args)
            db.session.rollback()
            raise
        finally:
            db.session.remove()


def perform(name: str, *args):
    """Entry point of an RQ worker process: one app per process, one context per job."""
    global _worker_app
    if _worker_app is None:
        from . import create_app

        _worker_app = create_app()
    return _run(_worker_app, name, args)


def enqueue(name: str, *args, timeout: int | None = None) -> None:
    """Run `name(*args)` in the background now; `timeout` (seconds) bounds an RQ job, whose
    default of three minutes would kill a long scheduler run."""
    app = current_app._get_current_object()
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        from redis import Redis
        from rq import Queue

        Queue("forum", connection=Redis.from_url(redis_url)).enqueue(
            perform, name, *args, job_timeout=timeout
        )
        return
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="forum-job")
        future = _executor.submit(_run, app, name, args)
        _pending.add(future)
    future.add_done_callback(_pending.discard)


def enqueue_after_commit(name: str, *args, timeout: int | None = None) -> None:
    """Enqueue once the current transaction commits (a worker must see what it refers to);
    nothing is enqueued if it rolls back."""
    from .extensions import db

    db.session.info.setdefault(_AFTER_COMMIT_KEY, []).append((name, args, timeout))


@sa_event.listens_for(Session, "after_commit")
def _enqueue_committed(session: Session) -> None:
    for name, args, timeout in session.info.pop(_AFTER_COMMIT_KEY, []):
        enqueue(name, *args, timeout=timeout)


@sa_event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT_KEY, None)


def wait_for_in_process_jobs(timeout: float = 30) -> None:
    """Block until the in-process worker is idle (the CLI and the tests use this)."""
    for future in list(_pending):
        future.exception(timeout=timeout)
