"""Forum: technology-transfer and partnering forums. `create_app` is the application factory."""

import mimetypes
from pathlib import Path

from flask import Flask, abort, has_request_context, render_template, request, session
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from jinja2 import FileSystemBytecodeCache
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from .config import Config
from .extensions import babel, csrf, db, engine_options, login_manager, migrate
from .languages import CHOSEN_LANGUAGE, SOURCE_LANGUAGE, available_languages
from .logging_setup import configure_logging
from .models.base import MAX_ID
from .services import meeting_life
from .views import api
from .web_font import CACHE_CONTROL as WEB_FONT_CACHE_CONTROL
from .web_font import DIRECTORY as WEB_FONT_DIRECTORY
from .web_font import stylesheet as web_font_stylesheet

PACKAGE_ROOT = Path(__file__).resolve().parent


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` limited to what an INTEGER primary key can hold."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def select_locale() -> str:
    """The user's preferred language, else the one a visitor chose in the header (kept in the
    session cookie, `main.language`), else the browser's best match, else English."""
    if not has_request_context():
        return SOURCE_LANGUAGE
    available = available_languages()
    if current_user and current_user.is_authenticated and current_user.locale in available:
        return current_user.locale
    if session.get(CHOSEN_LANGUAGE) in available:
        return str(session[CHOSEN_LANGUAGE])
    return request.accept_languages.best_match(available) or SOURCE_LANGUAGE


def create_app(config=None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PACKAGE_ROOT / "templates"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_object(config if config is not None else Config(Path(app.instance_path)))
    configure_logging(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        # The client address (sign-in throttling) and the scheme come from the proxies' headers,
        # trusting only the given number of them; with none, those headers are ignored.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies
        )

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        str(app.config["SQLALCHEMY_DATABASE_URI"]), app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    )
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PACKAGE_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(PACKAGE_ROOT / "translations"),
    )
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None

    from . import models  # noqa: F401  (every table registered before the first request)

    @login_manager.user_loader
    def load_user(login_id: str):
        # "<user id>:<session secret>": an ended session (signed out, everywhere, password
        # changed or reset) no longer loads anyone, from the session or the remember cookie.
        from .services.accounts import user_for_session

        return user_for_session(login_id)

    # Ids in URLs beyond an INTEGER are no row's id: 404 rather than a database error.
    app.url_map.converters["int"] = DatabaseIdConverter
    from .views import register_blueprints

    register_blueprints(app)
    from .security import register_security

    register_security(app)
    _register_request_boundary(app)
    _register_error_pages(app)

    from .cli import register_commands

    register_commands(app)

    from .templating import register_template_helpers

    # A new worker loads each template as compiled by an earlier process (Jinja's cache in a
    # private directory of the temp dir, by file, checked against the source) instead of
    # compiling it for its first page of each kind, which took about twice a later request.
    app.jinja_env.bytecode_cache = FileSystemBytecodeCache()
    register_template_helpers(app)
    _register_web_font(app)
    return app


def _register_web_font(app: Flask) -> None:
    """Pages link the Korean web font when it is installed; its versioned files are cached a year."""
    # Some systems' MIME tables lack woff2; browsers and `nosniff` want the right type.
    mimetypes.add_type("font/woff2", ".woff2")
    app.config.setdefault("WEB_FONT_STYLESHEET", web_font_stylesheet())
    app.jinja_env.globals["web_font_stylesheet"] = app.config["WEB_FONT_STYLESHEET"]

    @app.after_request
    def cache_web_font(response):
        filename = (request.view_args or {}).get("filename", "")
        if (
            request.endpoint == "static"
            and filename.startswith(WEB_FONT_DIRECTORY + "/")
            and response.status_code < 400
        ):
            response.headers["Cache-Control"] = WEB_FONT_CACHE_CONTROL
        return response


def _contains_nul(values) -> bool:
    return any("\x00" in value for value in values)


def _register_request_boundary(app: Flask) -> None:
    """One transaction per request: services flush, the request commits once or rolls back."""

    @app.before_request
    def refuse_nul_characters():
        # No text in Forum contains NUL, and PostgreSQL cannot store one: refuse it at the door.
        if (
            "\x00" in request.path
            or _contains_nul(request.args.values())
            or (request.method == "POST" and _contains_nul(request.form.values()))
        ):
            abort(400)

    @app.after_request
    def commit(response):
        if response.status_code >= 400:
            db.session.rollback()
            return response
        try:
            db.session.commit()
        except (IntegrityError, OperationalError) as error:
            db.session.rollback()
            if not meeting_life.is_retryable(error):
                raise
            app.logger.warning("conflicting concurrent change on %s", request.path)
            message = _("Someone changed this at the same time. Please try again.")
            if api.is_api_request():
                return api.error_response(409, message)
            return render_template(
                "errors/error.html",
                code=409,
                message=message,
            ), 409
        return response

    @app.teardown_request
    def rollback_on_error(exc):
        if exc is not None:
            db.session.rollback()


def _readable_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{size // 1024} KB"


def _register_error_pages(app: Flask) -> None:
    messages = {
        400: lambda: _("The request could not be understood."),
        403: lambda: _("Only the organizers of this event can open this page."),
        404: lambda: _("There is nothing here, or it is not yours to see."),
        405: lambda: _("This address does not accept that kind of request."),
        413: lambda: _(
            "What you sent is too large: at most %(size)s can be sent at once. "
            "Split a large file into smaller ones.",
            size=_readable_size(app.config.get("MAX_CONTENT_LENGTH") or 0),
        ),
        500: lambda: _("Something went wrong on our side. Nothing was changed."),
    }

    def render_error(code: int, message: str | None = None):
        db.session.rollback()
        if api.is_api_request():
            return api.error_response(code, message or messages[code]())
        return render_template(
            "errors/error.html", code=code, message=message or messages[code]()
        ), code

    messages[401] = lambda: _("This needs a personal API token.")
    messages[429] = lambda: _("Too many calls with this token; wait a minute.")
    messages[422] = lambda: _("The request could not be understood.")
    for code in messages:
        app.register_error_handler(code, lambda error, code=code: render_error(code))

    @app.errorhandler(meeting_life.Conflict)
    def conflict(error):
        app.logger.warning("a write lost a race on %s: %s", request.path, error.__cause__)
        return render_error(409, error.message)

    @app.errorhandler(IntegrityError)
    @app.errorhandler(OperationalError)
    def database_refusal(error):
        """A statement the database refused because of a concurrent change (a unique index, a
        deadlock, SQLite's busy database): 409, nothing kept; anything else stays a 500."""
        if not meeting_life.is_retryable(error):
            app.logger.exception("database error on %s", request.path)
            return render_error(500)
        app.logger.warning("conflicting concurrent change on %s: %s", request.path, error)
        return render_error(409, _("Someone else changed this at the same time. Please try again."))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400,
            _(
                "This form has expired or was not sent from Forum. Please reload the page and try again."
            ),
        )
