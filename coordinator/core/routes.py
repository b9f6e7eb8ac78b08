from flask import current_app, jsonify, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import text

from coordinator.access import SIGNED_IN, allow, public
from coordinator.core import services
from coordinator.core.security import local_target
from coordinator.extensions import db, limiter
from coordinator.rendering import render


@public
def root():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    return redirect(url_for("auth.login"))


@allow(SIGNED_IN)
def home():
    return render("core/home.html", **services.home_context(current_user))


@public
def set_language():
    """Switch language; kept on the account when signed in, in a cookie otherwise."""
    lang = request.form.get("lang", "")
    target = local_target(request.form.get("next"), url_for("core.root"))
    if lang not in current_app.config["LANGUAGES"]:
        lang = current_app.config["BABEL_DEFAULT_LOCALE"]
    services.remember_language(current_user, lang)
    response = redirect(target)
    response.set_cookie("lang", lang, max_age=365 * 86400, samesite="Lax", httponly=True)
    return response


@public
@limiter.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # the point of a health check is to report, not to raise
        current_app.logger.warning("health check: database unreachable: %s", exc)
        database = "unreachable"
    status = 200 if database == "ok" else 503
    return jsonify(
        status="ok" if status == 200 else "degraded",
        database=database,
        dialect=db.engine.dialect.name,
    ), status
