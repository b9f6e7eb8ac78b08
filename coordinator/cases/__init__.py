"""Cases: a resident's request from the call to the call-back (intake, dispatch, field work,
notices, verification), its audit trail and the dispatch board.

blueprint.py is the URL map (the views in routes/, by concern); queries.py the reads (the board,
the case page, my jobs); services.py the use cases; workflow.py the state table; models.py the
tables. Settings: CASE_* in coordinator/config.py."""


def init_app(app):
    from coordinator.cases import job_links, queries
    from coordinator.uploads import register_token_viewer, register_viewer

    register_viewer("case", queries.may_view_case)
    register_viewer("case_visit", queries.may_view_visit)
    register_token_viewer("case", job_links.token_views_case)
    register_token_viewer("case_visit", job_links.token_views_visit)

    from coordinator.cases import workflow
    from coordinator.cases.offline import offline_panel, offline_sender

    app.jinja_env.globals.update(
        offline_panel=offline_panel,
        offline_sender=offline_sender,
        case_status_label=workflow.status_label,
        case_status_tone=workflow.status_tone,
        action_label=workflow.action_label,
        event_label=workflow.event_label,
    )


# models: the tables, known to migrations.
from coordinator.cases import models  # noqa: E402,F401
