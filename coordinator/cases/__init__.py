"""Cases: a resident's request from the call to the call-back (intake, dispatch, field work,
notices, verification), its audit trail and the dispatch board."""

from flask import Blueprint

bp = Blueprint("cases", __name__, cli_group="cases")


def init_app(app):
    from coordinator.cases import services
    from coordinator.uploads import register_token_viewer, register_viewer

    register_viewer("case", services.may_view_case)
    register_viewer("case_visit", services.may_view_visit)
    register_token_viewer("case", services.token_views_case)
    register_token_viewer("case_visit", services.token_views_visit)

    from coordinator.cases import workflow

    app.jinja_env.globals.update(
        case_status_label=workflow.status_label,
        case_status_tone=workflow.status_tone,
        action_label=workflow.action_label,
        event_label=workflow.event_label,
    )


# models: the tables, known to migrations.
from coordinator.cases import cli, models  # noqa: E402,F401
