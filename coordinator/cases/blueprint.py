"""The cases' URL map: every address of the domain and the module that answers it.

intake: logging a case, the resident's report, the place pickers · board: the dispatch board ·
case_page: one case and what the office does on it · jobs: the team's jobs, signed in or through
a job link · offline: the job page's service worker · tracking: the resident's link.
Endpoints keep their names (cases.<name>).
"""

from flask import Blueprint, request

from coordinator.cases import cli
from coordinator.cases.routes import board, case_page, intake, jobs, offline, tracking

bp = Blueprint("cases", __name__, cli_group="cases")
bp.cli.add_command(cli.refresh_records_command)

GET, POST, FORM = ["GET"], ["POST"], ["GET", "POST"]
CASE, JOB, LINK = "/cases/<int:case_id>", "/jobs/<int:case_id>", "/j/<token>"


def route(rule: str, view, methods=GET, endpoint: str | None = None):
    bp.add_url_rule(rule, endpoint or view.__name__, view, methods=methods)


# intake
route("/cases/new", intake.new, FORM)
route("/report", intake.report, FORM)
route("/report/similar", intake.report_similar, FORM)
route("/report/sent", intake.report_sent)
route("/cases/places/<any(compound, building, entrance):level>/options", intake.place_options)
route("/cases/places/search/<any(report, new):form_name>", intake.place_search)
# the board
route("/cases", board.board)
route("/cases.<any(csv, xlsx):fmt>", board.board_file)
# the case page
route(CASE, case_page.detail)
route(f"{CASE}/dispatch", case_page.dispatch, POST)
route(f"{CASE}/recall", case_page.recall, POST)
route(f"{CASE}/reassign", case_page.reassign, POST)
route(f"{CASE}/act/<action>", case_page.act, POST)
route(f"{CASE}/phone", case_page.reveal_phone, POST)
route(f"{CASE}/callback", case_page.callback, POST)
route(f"{CASE}/links", case_page.link, POST)
route(f"{CASE}/notices", case_page.add_notice, POST)
route(f"{CASE}/notices/<int:notice_id>", case_page.notice)
route(f"{CASE}/send-link", case_page.send_link, POST)
# field work: signed in, and through a job link
route("/jobs", jobs.my_jobs)
route(JOB, jobs.job)
route(f"{JOB}/act/<action>", jobs.job_act, POST)
route(f"{JOB}/visit", jobs.job_visit, POST)
route(f"{JOB}/done", jobs.job_done, POST)
route(f"{JOB}/phone", jobs.job_phone, POST)
route(f"{JOB}/assign", jobs.job_assign, POST)
route(LINK, jobs.job_link)
route(f"{LINK}/act/<action>", jobs.link_act, POST)
route(f"{LINK}/visit", jobs.link_visit, POST)
route(f"{LINK}/done", jobs.link_done, POST)
route(f"{LINK}/phone", jobs.link_phone, POST)
# the job page offline: its service worker (static/js/sw.js), scoped to the whole site
route("/sw.js", offline.service_worker)
# the resident's tracking link
route("/track/<token>", tracking.track, FORM)
route("/me/reports", tracking.my_reports)


@bp.teardown_request
def _close_uploads(_exc):
    """Large uploads are spooled to temporary files; close them when the request ends."""
    if request.method == "POST" and request.files:
        for _name, f in request.files.items(multi=True):
            f.close()
