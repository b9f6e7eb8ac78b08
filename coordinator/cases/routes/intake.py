"""Intake: a case logged by the office (/cases/new), a resident's own report (/report), and the
place pickers both forms share."""

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user

from coordinator.access import OFFICE, allow, public
from coordinator.cases import queries, services, similar
from coordinator.cases.forms import CaseForm, ReportForm, parse_join
from coordinator.cases.models import INTAKE_CHANNELS
from coordinator.categories import CATEGORIES
from coordinator.converters import parse_int
from coordinator.extensions import limiter
from coordinator.forms import MOBILE
from coordinator.i18n import gettext as _
from coordinator.places import queries as places_queries
from coordinator.rendering import render
from coordinator.rules import Refused, show_refusal
from coordinator.ui import mask_phone


def _place_choices(form, public: bool = False):
    """Fill the pickers from what is chosen, so the page works without JavaScript too. The
    office is offered the communities it may log cases in (the places' scope rule: staff their
    own), a resident every one."""
    blank = [("", _("— choose —"))]
    communities = (
        places_queries.all_community_choices()
        if public
        else places_queries.community_choices(current_user)
    )
    form.community_id.choices = blank + communities
    form.compound_id.choices = blank + queries.place_options("compound", form.community_id.data)
    form.building_id.choices = blank + queries.place_options("building", form.compound_id.data)
    form.entrance_id.choices = blank + queries.place_options("entrance", form.building_id.data)
    return form


def similar_to(form, public: bool = False) -> list:
    """The similar cases for what the form holds so far (its place, category and, for the
    office, the words typed): the panel of both intake pages."""
    category = form.category.data if form.category.data in CATEGORIES else None
    return similar.find(
        None if public else current_user,
        compound_id=form.compound_id.data,
        building_id=form.building_id.data,
        category=category,
        description="" if public else (form.description.data or ""),
        public=public,
    )


def _picked_place(form) -> None:
    """A compound picked from the place search's list (its button, without JavaScript): the
    pickers take it and its community, the search is done."""
    picked = places_queries.compound_place(parse_int(request.form.get("pick")))
    if picked is None:
        return
    form.community_id.data, form.compound_id.data = picked.community_id, picked.id
    form.building_id.data = form.entrance_id.data = None
    form.place_query.data = ""


def _intake_page(template, public: bool = False):
    """page(status, form) for an intake form: its pickers filled, its one-time key fresh when
    it has none of ours (a first view, or a key we did not make), the places its search box
    finds, and the similar cases for what it holds (the panels htmx swaps, rendered here
    without JavaScript)."""

    def page(status, form):
        if not services.SUBMISSION_KEY.match(form.submission_key.data or ""):
            form.submission_key.data = services.submission_key()
        if "pick" in request.form:
            _picked_place(form)
        found, more = places_queries.find_compounds(
            form.place_query.data, None if public else current_user
        )
        return render(
            template,
            status=status,
            form=_place_choices(form, public),
            similar=similar_to(form, public),
            checked=form.compound_id.data is not None,
            # The no-JavaScript search and pick buttons send the form here: for /report, its
            # similar-cases route, so that looking for a place does not use up a report.
            place_action=url_for("cases.report_similar" if public else "cases.new"),
            place_form="report" if public else "new",
            query=form.place_query.data or "",
            found=found,
            more=more,
        )

    return page


def _refresh_only() -> bool:
    """The no-JavaScript 'update the choices', 'check for similar cases', 'find the place' and
    'pick this place' buttons (and the htmx lookup) re-render the form without saving."""
    return any(key in request.form for key in ("refresh", "check", "find", "pick"))


def _wants_saving(form) -> bool:
    return form.is_submitted() and not _refresh_only()


@allow(OFFICE)
def new():
    form = CaseForm()
    page = _intake_page("cases/new.html")
    if request.method == "GET":
        channel = request.args.get("channel")
        form.channel.data = channel if channel in INTAKE_CHANNELS else "phone"
        if current_user.community_id:
            form.community_id.data = current_user.community_id
    if _wants_saving(form) and form.validate():
        joins = parse_join(form.join.data)
        try:
            if form.join.data and joins is None:
                raise Refused(_("Choose how the cases are linked."), field="join", status=422)
            case = services.open_case(
                current_user, form.data, form.photos.data, joins, tell_reporter=True
            )
        except Refused as refused:
            return show_refusal(refused, form, page)
        if joins:
            flash(
                _(
                    "Case %(number)s logged and joined to %(other)s: not dispatched separately.",
                    number=case.number,
                    other=f"#{joins[1]}",
                ),
                "success",
            )
            return redirect(url_for("cases.detail", case_id=joins[1]))
        flash(_("Case %(number)s logged.", number=case.number), "success")
        return redirect(url_for("cases.detail", case_id=case.id))
    return page(422 if _wants_saving(form) else 200, form)


def _report_limit() -> str:
    return current_app.config["CASE_REPORT_RATE_LIMIT"]


@public
@limiter.limit(_report_limit, methods=["POST"])
def report():
    form = ReportForm()
    page = _intake_page("cases/report.html", public=True)
    if request.method == "GET" and current_user.is_authenticated:
        # Signed in: who reports is known; their community too, when the office set it.
        form.reporter_name.data = current_user.name
        form.reporter_phone.data = current_user.phone
        form.community_id.data = current_user.community_id
    if form.is_submitted() and form.website.data:
        return redirect(url_for("cases.report_sent"))  # a bot: thank it and keep nothing
    if _wants_saving(form) and form.validate():
        follows = parse_int(form.follows.data) if form.follows.data else None
        try:
            if form.follows.data and not follows:
                raise Refused(_("No such case to join here."), field="follows", status=422)
            case = services.report_case(form.data, form.photos.data, follows)
        except Refused as refused:
            if refused.field == "join":
                refused.field = "follows"
            return show_refusal(refused, form, page)
        if MOBILE.match(case.reporter_phone or ""):
            flash(
                _(
                    "Thank you. We have texted the link to this page to %(phone)s: keep it to "
                    "follow your report.",
                    phone=mask_phone(case.reporter_phone),
                ),
                "success",
            )
        else:
            flash(_("Thank you. Keep this page's address to follow your report."), "success")
        return redirect(url_for("cases.track", token=case.tracking_token))
    return page(422 if _wants_saving(form) else 200, form)


def _similar_limit() -> str:
    return current_app.config["CASE_SIMILAR_RATE_LIMIT"]


@public
@limiter.limit(_similar_limit)
def report_similar():
    """/report's "already reported here" for the place and category chosen: the panel for htmx
    (GET, from the pickers), the whole form as sent for the no-JavaScript button (POST).
    Limited per address apart from /report's own limit, so that a stranger cannot walk the
    place tree; what it shows holds no one's name, phone, household or words."""
    form = ReportForm(formdata=request.args) if request.method == "GET" else ReportForm()
    return _intake_page("cases/report.html", public=True)(200, form)


@public
def report_sent():
    return render("cases/report_sent.html")


def _place_search_limit() -> str:
    return current_app.config["PLACE_SEARCH_RATE_LIMIT"]


@public
@limiter.limit(_place_search_limit, exempt_when=lambda: current_user.is_authenticated)
def place_search(form_name: str):
    """The place search's list for what is typed so far (htmx, as the resident types): the
    same list the intake pages show after their search button. The public form looks in the
    whole subdistrict, the office's in the communities it may see. Strangers are limited per
    address (a search a keystroke is a few dozen requests a report, a script walking the
    subdistrict thousands); people signed in are not, since a whole office shares one address."""
    office = form_name == "new" and current_user.is_authenticated
    query = (request.args.get("place_query") or "").strip()
    found, more = places_queries.find_compounds(query, current_user if office else None)
    return render(
        "cases/_place_found.html",
        query=query,
        found=found,
        more=more,
        place_action=url_for("cases.new" if form_name == "new" else "cases.report_similar"),
        place_form=form_name,
    )


@public
def place_options(level: str):
    """<option>s for the next picker down (compound, building or entrance)."""
    parent = request.args.get("parent", type=int)
    if parent is None:  # hx-include sends the parent picker under its own name
        parent = next(
            (
                request.args.get(k, type=int)
                for k in ("community_id", "compound_id", "building_id")
                if request.args.get(k)
            ),
            None,
        )
    return render("cases/options.html", options=queries.place_options(level, parent))
