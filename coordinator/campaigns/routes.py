"""The campaigns' views (their URLs: blueprint.py): the list, a campaign's page, "make this a
campaign" with its live count, found / not found, and a case handled by an event."""

from datetime import timedelta
from urllib.parse import parse_qs, urlencode

from flask import flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from coordinator import access
from coordinator.access import OFFICE, allow
from coordinator.campaigns import queries, services
from coordinator.campaigns.forms import CampaignForm, FoundForm, LinkEventForm
from coordinator.campaigns.models import CLOSED, OPEN, STATUSES, WORK_KINDS, Campaign
from coordinator.campaigns.services import BATCH_SUFFIX, copy_meeting_place, copy_name
from coordinator.campaigns.targets import Targets
from coordinator.cases import queries as case_queries
from coordinator.cases.services import SUBMISSION_KEY, submission_key
from coordinator.categories import CATEGORIES, category_label
from coordinator.converters import parse_int as to_int
from coordinator.events import queries as event_queries
from coordinator.extensions import db
from coordinator.i18n import gettext as _
from coordinator.i18n import local_date
from coordinator.paging import page_number
from coordinator.places import queries as places
from coordinator.places.models import Building
from coordinator.rendering import render
from coordinator.rules import Refused, show_refusal


@allow(OFFICE)
def index():
    status = request.args.get("status", "")
    status = status if status in (OPEN, CLOSED) else ""
    page = queries.list_page(current_user, status, page_number())
    return render(
        "campaigns/index.html",
        page=page,
        shown=status,
        statuses=STATUSES,
        choices=[
            ("", _("All")),
            (OPEN, str(STATUSES[OPEN][0])),
            (CLOSED, str(STATUSES[CLOSED][0])),
        ],
    )


def _campaign_or_404(campaign_id: int) -> Campaign:
    found = queries.get_campaign(current_user, campaign_id)
    access.require(found is not None)
    return found


@allow(OFFICE)
def detail(campaign_id: int):
    campaign = _campaign_or_404(campaign_id)
    shown = queries.progress(campaign, current_user)
    targets = Targets.from_json(campaign.criteria)
    return render(
        "campaigns/detail.html",
        campaign=campaign,
        state=STATUSES[campaign.status],
        described=targets.describe(queries.community_names() if targets.communities else None),
        button=FoundForm(formdata=None),
        **shown,
    )


@allow(OFFICE)
def mark_found(campaign_id: int, target_id: int):
    campaign = _campaign_or_404(campaign_id)
    form = FoundForm()
    if not form.validate_on_submit():
        access.require(False)
    try:
        services.mark_found(
            current_user, campaign, target_id, form.seen.data or "", form.found.data or ""
        )
    except Refused as refused:
        if refused.status == 404:
            access.require(False)
        flash(str(refused.message), "error")
        return redirect(url_for("campaigns.detail", campaign_id=campaign_id), 303)
    return redirect(url_for("campaigns.detail", campaign_id=campaign_id) + f"#t{target_id}", 303)


# --- make this a campaign ---------------------------------------------------------------------


class Source:
    """Where a new campaign comes from (?case=, ?event=, ?spot=), read and scoped."""

    def __init__(self, args):
        self.case = self.event = self.compound = None
        self.spot = ""
        self.category = ""
        case_id, event_id = to_int(args.get("case")), to_int(args.get("event"))
        if case_id:
            self.case = case_queries.get_case(current_user, case_id)
            access.require(self.case is not None)
            self.category = self.case.category
        elif event_id:
            self.event = event_queries.get_event(current_user, event_id)
            access.require(
                self.event is not None and event_queries.can_manage(current_user, self.event)
            )
            self.category = "bikes" if self.event.kind in ("bike_drive", "recycle_exchange") else ""
        elif args.get("spot"):
            self._read_spot(args.get("spot", "")[:200])

    def _read_spot(self, text: str) -> None:
        raw = parse_qs(text, keep_blank_values=False)

        def one(name):
            return (raw.get(name) or [""])[0]

        category = one("category")
        self.category = category if category in CATEGORIES else ""
        compound_id, building_id = to_int(one("compound")), to_int(one("building"))
        if building_id and not compound_id:
            compound_id = db.session.scalar(
                select(Building.compound_id).where(Building.id == building_id)
            )
        if compound_id:
            self.compound = places.get_compound(current_user, compound_id)
        kept = {k: v for k, v in (("category", self.category),) if v}
        if self.compound is not None:
            kept["compound"] = self.compound.id
        if building_id:
            kept["building"] = building_id
        self.spot = urlencode(kept)

    @property
    def query(self) -> str:
        if self.case is not None:
            return urlencode({"case": self.case.id})
        if self.event is not None:
            return urlencode({"event": self.event.id})
        return urlencode({"spot": self.spot}) if self.spot else ""

    def ids(self) -> dict:
        if self.case is not None:
            return {"source_case_id": self.case.id}
        if self.event is not None:
            return {"source_event_id": self.event.id}
        return {"source_spot": self.spot} if self.spot else {}

    def prefill(self, form: CampaignForm) -> None:
        label = category_label(self.category) if self.category else ""
        form.category.data = self.category or form.category.data
        if self.case is not None:
            form.title.data = _("%(category)s campaign", category=label)
            form.instructions.data = _(
                "As in case %(number)s: %(text)s",
                number=self.case.number,
                text=(self.case.description or "")[:500],
            )
        elif self.event is not None:
            event = self.event
            form.title.data = (
                event.campaign.title if event.campaign else BATCH_SUFFIX.sub("", event.title)
            )
            form.instructions.data = (event.description or "")[:2000]
            form.work_kind.data = "event"
            form.event_day.data = local_date() + timedelta(days=14)
            form.copy_name.data = copy_name(event)
            form.copy_meeting_place.data = copy_meeting_place(event)
            form.drive_seen.data = str(event.version)
            form.fill_targets(Targets(bike_shed=True) if self.category == "bikes" else Targets())
        elif self.spot:
            form.title.data = _("%(category)s campaign", category=label) if label else ""
            if self.compound is not None:
                form.fill_targets(Targets(communities=(self.compound.community_id,)))


def _new_context(form: CampaignForm, source: Source) -> dict:
    form.communities.choices = places.community_choices(current_user)
    form.team_id.choices = [("", _("Each compound's best match"))] + queries.team_options(
        current_user
    )
    if source.event is None:
        form.work_kind.choices = [("case", str(WORK_KINDS["case"]))]
    if not SUBMISSION_KEY.match(form.submission_key.data or ""):
        form.submission_key.data = submission_key()
    targets = form.targets()
    return {
        "form": form,
        "source": source,
        "live": queries.live(targets, current_user),
        "action": url_for("campaigns.new") + (f"?{source.query}" if source.query else ""),
    }


def _page(source):
    def page(status, form):
        return render("campaigns/new.html", status=status, **_new_context(form, source))

    return page


def _form_problems(form: CampaignForm, source: Source) -> bool:
    """Checks beyond the fields' own: the kind of work and its dates."""
    ok = True
    if form.work_kind.data == "event" and source.event is None:
        form.work_kind.errors = list(form.work_kind.errors) + [
            _("Only a drive can be copied into compounds; start from its page.")
        ]
        ok = False
    if form.work_kind.data == "event" and form.event_day.data is None:
        form.event_day.errors = list(form.event_day.errors) + [_("Choose the day of the drives.")]
        ok = False
    today = local_date()
    for field in (form.deadline, form.event_day):
        if field.data is not None and field.data < today:
            field.errors = list(field.errors) + [_("Choose a day from today on.")]
            ok = False
    tf, tt = form.built_from.data, form.built_to.data
    if isinstance(tf, int) and isinstance(tt, int) and tf > tt:
        form.built_to.errors = list(form.built_to.errors) + [_("Not before the first year.")]
        ok = False
    if form.team_id.data and not to_int(form.team_id.data) and not form.team_id.errors:
        form.team_id.errors = list(form.team_id.errors) + [_("Choose a team from the list.")]
        ok = False
    return ok


@allow(OFFICE)
def new():
    source = Source(request.args)
    page = _page(source)
    if request.method == "GET":
        form = CampaignForm(formdata=None)
        source.prefill(form)
        return page(200, form)
    form = CampaignForm()
    _new_context(form, source)  # choices, so that the fields validate against them
    valid = form.validate()
    if "count" in request.form:  # the no-JavaScript "count" button: the form again, counted
        return page(200, form)
    valid = _form_problems(form, source) and valid
    if not valid:
        return page(422, form)
    key = form.submission_key.data if SUBMISSION_KEY.match(form.submission_key.data or "") else None
    earlier = services.submitted(key)
    if earlier is not None:
        return redirect(url_for("campaigns.detail", campaign_id=earlier.id), 303)
    try:
        campaign = services.launch_from_form(current_user, form, source, key)
    except Refused as refused:
        twin = services.submitted(key) if refused.status == 409 else None
        if twin is not None:
            return redirect(url_for("campaigns.detail", campaign_id=twin.id), 303)
        if refused.field == "targets":
            refused.field = "old"
        return show_refusal(refused, form, page)
    flash(_("Campaign launched in %(n)d compounds.", n=len(campaign.targets)), "success")
    return redirect(url_for("campaigns.detail", campaign_id=campaign.id), 303)


@allow(OFFICE)
def count():
    """The live count (htmx, as the fields change): the matching compounds' number and names."""
    form = CampaignForm(formdata=request.args, meta={"csrf": False})
    form.communities.choices = places.community_choices(current_user)
    form.team_id.choices = [("", "")]
    form.validate()
    return render(
        "campaigns/new.html",
        live=queries.live(form.targets(), current_user),
        form=form,
        source=None,
        action="",
    )


# --- a case handled by an event ---------------------------------------------------------------


@allow(OFFICE)
def link_event(case_id: int):
    case = case_queries.get_case(current_user, case_id)
    access.require(case is not None)
    form = LinkEventForm()
    form.event_id.choices = [(str(i), t) for i, t, _s in queries.events_for_case(case)]
    back = url_for("cases.detail", case_id=case.id)
    if not form.validate_on_submit():
        flash(_("Choose an event of the case's community."), "error")
        return redirect(back, 303)
    event = event_queries.get_event(current_user, to_int(form.event_id.data))
    access.require(event is not None)
    try:
        services.link_case(current_user, case, event)
    except Refused as refused:
        flash(str(refused.message), "error")
        return redirect(back, 303)
    flash(_("Linked: the case closes when “%(title)s” is finished.", title=event.title), "success")
    return redirect(back, 303)


@allow(OFFICE)
def repeat_drive(event_id: int):
    """The old "repeat this drive": now a campaign made from the drive."""
    return redirect(url_for("campaigns.new", event=event_id), 301)
