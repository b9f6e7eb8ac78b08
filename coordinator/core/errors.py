"""Error pages in the app's own look, as a page or as a fragment htmx can show."""

from flask import request
from flask_wtf.csrf import CSRFError
from jinja2_fragments.flask import render_block
from werkzeug.exceptions import HTTPException, InternalServerError

from coordinator.extensions import db, htmx
from coordinator.i18n import lazy_gettext as _l
from coordinator.rendering import render
from coordinator.rules import Refused

MESSAGES = {
    400: (_l("Something in that request was not right"), _l("Please go back and try again.")),
    401: (_l("Please sign in"), _l("This page is for signed-in users.")),
    403: (_l("Not allowed"), _l("Your role does not give access to this page or action.")),
    404: (_l("Not found"), _l("The page does not exist, or it is not in your area.")),
    405: (_l("Not allowed"), _l("That action cannot be done this way.")),
    409: (_l("Cannot do that now"), _l("The record has changed; reload and try again.")),
    413: (_l("Too large"), _l("The file is too large.")),
    422: (
        _l("Please check what you entered"),
        _l("Something you entered cannot be used. Please go back and correct it."),
    ),
    429: (_l("Too many attempts"), _l("Please wait a minute and try again.")),
    500: (_l("Something went wrong"), _l("It was not your fault. Please try again later.")),
}


def error_page(code: int, detail: str | None = None):
    title, hint = MESSAGES.get(code, MESSAGES[500])
    context = dict(code=code, title=title, hint=detail or hint)
    if htmx and not htmx.boosted:
        # htmx leaves 4xx/5xx unswapped unless told; show the message in the page's flash area.
        body = render_block("core/error.html", "error_message", **context)
        return body, code, {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML", "Vary": "HX-Request"}
    return render("core/error.html", status=code, **context)


def register(app):
    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return error_page(
            400,
            str(
                _l(
                    "The form expired or was not sent from this site. "
                    "Please reload the page and try again."
                )
            ),
        )

    @app.errorhandler(Refused)
    def refused(e):
        # A refusal no form could show: the error page with its reason. The unit of work has
        # rolled back already; this makes sure of it for a refusal raised outside one.
        db.session.rollback()
        return error_page(e.status, str(e.message))

    @app.errorhandler(HTTPException)
    def http_error(e):
        # A description given at abort() time is meant for the user; werkzeug's stock one is not.
        detail = e.description if e.description != type(e).description else None
        return error_page(e.code or 500, detail)

    @app.errorhandler(Exception)
    def server_error(e):
        db.session.rollback()
        app.logger.exception("unhandled error on %s", request.path)
        if app.config.get("PROPAGATE_EXCEPTIONS"):
            raise e
        return error_page(InternalServerError.code)
