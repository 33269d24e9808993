"""Background work: RQ on Redis when REDIS_URL is set, else an in-process worker thread.

Jobs are named by dotted path ("forum.services.mail:deliver") so that an RQ worker in another
process can import them; each runs inside an application context with its own session.

Jobs are queued once the transaction that asks for them has committed (`enqueue_after_commit`).
Redis being unreachable then never turns a saved change into an error page: connections give up
after REDIS_CONNECT_TIMEOUT / REDIS_SOCKET_TIMEOUT seconds, the failure is logged, the process
leaves Redis alone for REDIS_RETRY_AFTER seconds, and the job runs in the in-process worker
instead (or, for a job that must not run in a web process, its `if_not_queued` function records
the failure at once). See docs/operations.md.
"""

import contextlib
import importlib
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

from flask import Flask, current_app, has_request_context
from flask_babel import force_locale, get_locale
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()
_pending: set[Future] = set()
_worker_app: Flask | None = None
_AFTER_COMMIT_KEY = "jobs_after_commit"
_redis_lock = threading.Lock()
_redis_failed_until: dict[str, float] = {}  # REDIS_URL -> monotonic time to try it again


def _resolve(name: str):
    module_name, _, attribute = name.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def outside_request(app: Flask):
    """A context in which url_for builds absolute links to BASE_URL, for jobs and commands."""
    return app.test_request_context(base_url=app.config["BASE_URL"])


def _run(app: Flask, name: str, args: tuple, locale: str | None = None):
    from .extensions import db

    with outside_request(app), force_locale(locale) if locale else contextlib.nullcontext():
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


def redis_in_use(app: Flask | None = None) -> bool:
    """REDIS_URL is set, and Redis has not failed this process in the last REDIS_RETRY_AFTER
    seconds (while it is down, requests do not each wait for its timeouts)."""
    url = (app or current_app).config.get("REDIS_URL")
    if not url:
        return False
    with _redis_lock:
        return time.monotonic() >= _redis_failed_until.get(url, 0.0)


def redis_failed(error: Exception, app: Flask | None = None) -> None:
    """Remember that Redis did not answer: it is tried again after REDIS_RETRY_AFTER seconds."""
    config = (app or current_app).config
    with _redis_lock:
        _redis_failed_until[config["REDIS_URL"]] = time.monotonic() + config.get(
            "REDIS_RETRY_AFTER", 30.0
        )
    log.error("Redis at REDIS_URL did not answer (%s); working without it for a while", error)


def forget_redis_failures() -> None:
    """Try Redis again at once (the tests start each from a clean slate)."""
    with _redis_lock:
        _redis_failed_until.clear()


def redis_connection(app: Flask | None = None):
    """A client of REDIS_URL that gives up quickly when Redis does not answer (one retry)."""
    from redis import Redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    config = (app or current_app).config
    return Redis.from_url(
        config["REDIS_URL"],
        socket_connect_timeout=config.get("REDIS_CONNECT_TIMEOUT", 1.0),
        socket_timeout=config.get("REDIS_SOCKET_TIMEOUT", 2.0),
        retry=Retry(NoBackoff(), 1),
    )


def enqueue(name: str, *args, timeout: int | None = None, if_not_queued: str | None = None) -> None:
    """Run `name(*args)` in the background now; `timeout` (seconds) bounds an RQ job, whose
    default of three minutes would kill a long scheduler run.

    When REDIS_URL is set but Redis cannot be reached, the failure is logged and the job runs in
    the in-process worker instead; with `if_not_queued` (a dotted name), that function is called
    with the same arguments instead, right away, with a session of its own."""
    from redis.exceptions import RedisError

    app = current_app._get_current_object()
    if app.config.get("REDIS_URL"):
        from rq import Queue

        if redis_in_use(app):
            try:
                Queue("forum", connection=redis_connection(app)).enqueue(
                    perform, name, *args, job_timeout=timeout
                )
                return
            except (RedisError, OSError) as error:
                redis_failed(error, app)
        log.error("could not queue background job %s%r on Redis", name, args)
        if if_not_queued is not None:
            _run_now(app, if_not_queued, args)
            return
        log.warning("running background job %s%r in this process instead", name, args)
    _submit_in_process(app, name, args)


def _run_now(app: Flask, name: str, args: tuple) -> None:
    """Run `name(*args)` in this thread, in an application context (and session) of its own."""
    # In the language of the request that asked for it; a failure is logged by _run, and the
    # caller's work is committed and stays.
    locale = str(get_locale()) if has_request_context() else None
    with app.app_context(), contextlib.suppress(Exception):
        _run(app, name, args, locale)


def _submit_in_process(app: Flask, name: str, args: tuple) -> None:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="forum-job")
        future = _executor.submit(_run, app, name, args)
        _pending.add(future)
    future.add_done_callback(_forget_done)


def _forget_done(future: Future) -> None:
    with _executor_lock:  # wait_for_in_process_jobs copies the set meanwhile
        _pending.discard(future)


def enqueue_after_commit(
    name: str,
    *args,
    timeout: int | None = None,
    if_not_queued: str | None = None,
    once: bool = False,
) -> None:
    """Enqueue once the current transaction commits (a worker must see what it refers to);
    nothing is enqueued if it rolls back. See `enqueue` for `if_not_queued`. With `once`, a job
    already queued for this commit with the same arguments is not queued again (a job that
    works through everything due, such as the webhooks' delivery)."""
    from .extensions import db

    session = db.session()
    queued = session.info.setdefault(_AFTER_COMMIT_KEY, [])
    job = (name, args, timeout, if_not_queued)
    if not (once and any(job == earlier for earlier, _savepoint in queued)):
        # with the savepoint it was asked for in: rolled back, that savepoint forgets it
        queued.append((job, session.get_nested_transaction()))


@sa_event.listens_for(Session, "after_commit")
def _enqueue_committed(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the transaction may still undo it
        return
    for (name, args, timeout, if_not_queued), _savepoint in session.info.pop(_AFTER_COMMIT_KEY, []):
        try:
            enqueue(name, *args, timeout=timeout, if_not_queued=if_not_queued)
        except Exception:  # the data is committed: a job that cannot start must not undo the answer
            log.exception("could not start background job %s%r", name, args)


@sa_event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous: SessionTransaction) -> None:
    """A transaction rolled back forgets its jobs; a savepoint, those asked for inside it."""
    if not previous.nested:
        if previous.parent is None:
            session.info.pop(_AFTER_COMMIT_KEY, None)
        return
    queued = session.info.get(_AFTER_COMMIT_KEY, [])
    queued[:] = [(job, at) for job, at in queued if not _inside(at, previous)]


def _inside(savepoint: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while savepoint is not None:
        if savepoint is outer:
            return True
        savepoint = savepoint.parent
    return False


def wait_for_in_process_jobs(timeout: float = 120) -> None:
    """Block until the in-process worker is idle (the CLI and the tests use this), including the
    jobs that the awaited ones queue as they commit (a suggestions refresh after an import), which
    a single look at the queue would miss. Raises TimeoutError after `timeout` seconds in all."""
    deadline = time.monotonic() + timeout
    while True:
        with _executor_lock:
            pending = [future for future in _pending if not future.done()]
        if not pending:
            return
        for future in pending:
            future.exception(timeout=max(0.0, deadline - time.monotonic()))
