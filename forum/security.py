"""Headers every response carries, and the health check a load balancer polls.

The pages need no inline script or style: the one script is forum/static/forum.js, so the
Content-Security-Policy allows scripts, styles and connections from Forum itself only, and no
page can be framed by another site."""

from flask import Blueprint, Flask, current_app, jsonify, request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import csrf, db

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@csrf.exempt
def healthz():
    """200 when a fresh database connection answers, else 503 (the balancer stops routing here)."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        status, code = "ok", 200
    except SQLAlchemyError:
        current_app.logger.exception("health check: the database does not answer")
        status, code = "unavailable", 503
    response = jsonify(status=status, database=status)
    response.status_code = code
    response.headers["Cache-Control"] = "no-store"
    return response


def register_security(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.after_request
    def security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        max_age = app.config.get("HSTS_MAX_AGE", 0)
        if request.is_secure and max_age:
            response.headers["Strict-Transport-Security"] = f"max-age={max_age}; includeSubDomains"
        return response
