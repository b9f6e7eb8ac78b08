"""Issue 8, item 10: hostile input to every form, filter and path of the URL map, as every
role, on the suite's database (SQLite, or PostgreSQL in CI): no 5xx, and a form that refuses
input keeps what was typed in its other fields. Then every page still renders."""

import re
import time

import pytest
from werkzeug.routing import IntegerConverter

from coordinator.access import PUBLIC
from tests.sweep import corpus
from tests.sweep.sweeper import LAST, LOGINS, PASSWORD, ROLES, Sweep, args_read_in_code

# What each role swept, for the coverage check at the end (tests run in file order).
SWEPT: dict[str, set[str]] = {}
PAGES: dict[str, dict[str, list[str]]] = {}
FIELDS: set[tuple[str, str]] = set()  # (endpoint, field) that got the corpus, "" a button


def allowed(app, endpoint: str, role: str) -> bool:
    roles = getattr(app.view_functions[endpoint], "allowed_roles", None)
    return roles == PUBLIC or (roles is not None and role in roles)


def made_up(rule) -> str:
    path = rule.rule
    for arg in rule.arguments:
        converter = rule._converters[arg]
        value = (
            sorted(converter.items)[0]
            if hasattr(converter, "items")
            else ("1" if isinstance(converter, IntegerConverter) else "x")
        )
        path = re.sub(rf"<(?:[^:<>]+:)?{arg}>", value, path)
    return path


def path_values(rule, arg, full: bool):
    numeric = isinstance(rule._converters[arg], IntegerConverter)
    if numeric:
        return corpus.PATH_INTS if full else corpus.PATH_SAMPLE_INTS
    return corpus.PATH_STRINGS if full else corpus.PATH_SAMPLE_STRINGS


@pytest.mark.parametrize("role", ROLES)
def test_hostile_input_as(role, world, web_app, seeds, logins):
    started = time.perf_counter()
    client = web_app.test_client()
    sweep = Sweep(web_app, client, role)
    sweep.login()
    sweep.crawl(seeds)
    known_args = args_read_in_code()

    # Forms: the first role to meet a form sends it the whole corpus; later roles a sample.
    done_before = set().union(*SWEPT.values()) if SWEPT else set()
    forms = sorted(sweep.forms.items(), key=lambda item: item[0][0] in LAST)
    for (endpoint, _names), form in forms:
        sweep.sweep_form(endpoint, form, full=endpoint not in done_before)
        if endpoint in LAST:
            sweep.login()

    # Filters: the names the page's filter form sends, and every name the code reads.
    for endpoint, urls in sorted(sweep.pages.items()):
        if not urls:
            continue
        # A list with a filter form gets the whole corpus; the other pages a sample.
        full = endpoint not in done_before and endpoint in sweep.filters
        names = sorted(sweep.filters.get(endpoint, set()) | set(known_args))
        sweep.sweep_filters(endpoint, urls[0], names, full, endpoint in sweep.filters)
        sweep.sweep_headers("GET", urls[0], None, full=False)

    # Paths: every rule this role may open, from a real address of it.
    rules = {r.endpoint: r for r in web_app.url_map.iter_rules() if r.arguments}
    for endpoint, rule in sorted(rules.items()):
        if endpoint == "static" or not allowed(web_app, endpoint, role):
            continue
        form = next((f for (e, _n), f in sweep.forms.items() if e == endpoint), None)
        # No page showed it (a row in another state, a link sent by SMS): an address made
        # from the rule, so that its arguments are swept all the same.
        url = form.action if form else (sweep.pages.get(endpoint) or [made_up(rule)])[0]
        body = corpus.encode(sweep.baseline(form)[0]) if form else None
        full = endpoint not in done_before
        sweep.sweep_path(rule, url, body, path_values, full)
        sweep.swept.add(endpoint)
        if form and endpoint not in LAST:
            sweep.sweep_headers("POST", form.action, body, full=False)

    SWEPT[role] = sweep.swept
    FIELDS.update(sweep.fields)
    PAGES[role] = dict(sweep.pages)
    print(
        f"\n{role}: {sweep.requests} requests, {len(sweep.forms)} forms, "
        f"{len(sweep.pages)} pages in {time.perf_counter() - started:.1f} s"
    )
    if sweep.failures:
        print("\n".join(sweep.failures))
    if sweep.lost:
        print("\n".join(sweep.lost))
    assert sweep.failures == []
    assert sweep.lost == []


@pytest.fixture
def protected(app):
    """The app as in production: CSRF on. Forms are sent with the token their page carries."""
    from coordinator import create_app
    from coordinator.extensions import db
    from tests.conftest import settings

    protected = create_app(
        settings(
            app.config["SQLALCHEMY_DATABASE_URI"],
            app.config["UPLOAD_FOLDER"],
            WTF_CSRF_ENABLED=True,
        )
    )
    yield protected
    with protected.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("role", ["volunteer", "anonymous"])
def test_hostile_input_with_csrf_on(role, world, protected, seeds, logins):
    """The forms as parsed from their pages, token and all, with CSRF switched on: the same
    answers (a sample of the corpus), and no good submission refused as a forgery."""
    sweep = Sweep(protected, protected.test_client(), role)
    if role != "anonymous":
        page = sweep.client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = sweep.client.post(
            "/login", data={"phone": LOGINS[role], "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302
    sweep.crawl(seeds)
    assert sweep.forms
    for (endpoint, _names), form in sorted(sweep.forms.items()):
        if endpoint not in LAST:
            sweep.sweep_form(endpoint, form, full=False, light=True)
    forged = [action for action, status in sweep.baselines.items() if status == 400]
    assert forged == []
    assert sweep.failures == []
    assert sweep.lost == []


def test_every_page_still_renders_after_the_sweep(world, web_app, seeds, logins):
    """What the sweep saved (100 KB notes, formulas, CR/LF, far dates, where a form took them)
    must not break any page, feed or export later, for any role: as a page and as htmx."""
    assert PAGES, "runs after the sweep"
    failures = []
    for role in ROLES:
        sweep = Sweep(web_app, web_app.test_client(), role)
        sweep.login()
        # A new crawl: the lists show the rows the sweep made, newest first, and their pages.
        sweep.crawl(seeds, budget=150)
        for endpoint in sorted(sweep.filters):  # the lists again, as their htmx fragment
            for url in sweep.pages.get(endpoint, [])[:1]:
                sweep.send(
                    "GET",
                    url,
                    label="after the sweep, htmx",
                    headers={"HX-Request": "true", "HX-Target": "results"},
                )
        failures += sweep.failures
    assert failures == []


def test_the_sweep_reached_every_route(web_app):
    """Every rule of the URL map got hostile values from some role (a route that no page
    shows and no seed reaches would be swept by nobody: say how to reach it)."""
    assert SWEPT, "runs after the sweep"
    reached = set().union(*SWEPT.values())
    missing = sorted(
        r.endpoint
        for r in web_app.url_map.iter_rules()
        if r.endpoint != "static" and r.endpoint not in reached
    )
    assert not missing, "never swept: " + ", ".join(missing)


# Forms that show only for a row in one state (a job in progress, a case waiting for its
# call-back, a finished event's roster, a draft, bikes to hand over): the world stages such
# rows, and these fields must have had the corpus, not only the forms' path arguments.
STAGED_FIELDS = {
    ("bikes.handover", "to_kind"),
    ("bikes.handover", "to_whom"),
    ("bikes.handover", "receiver_name"),
    ("bikes.handover", "handed_at"),
    ("cases.job_visit", "found"),
    ("cases.job_visit", "another_needed"),
    ("cases.link_visit", "found"),
    ("cases.link_visit", "another_needed"),
    ("cases.job_done", "root_cause"),
    ("cases.job_done", "follow_up"),
    ("cases.link_done", "root_cause"),
    ("cases.link_done", "follow_up"),
    ("cases.callback", "contacted"),
    ("cases.callback", "solved"),
    ("cases.callback", "satisfaction"),
    ("cases.callback", "note"),
    ("attendance.tick_out", "check_out"),
    ("attendance.decide_correction", "decision"),
    ("attendance.decide_correction", "note"),
    ("attendance.confirm_hours", ""),
    ("events.publish", ""),
}


def test_the_sweep_reached_the_staged_forms_fields():
    assert FIELDS, "runs after the sweep"
    missing = sorted(STAGED_FIELDS - FIELDS)
    assert not missing, f"fields never swept: {missing}"


def test_a_refused_notice_on_a_case_closed_meanwhile_keeps_what_was_typed(client, auth, make):
    from coordinator.cases.models import Case
    from coordinator.extensions import db

    community = make.community()
    building = make.building(make.compound(community))
    staff = make.user("staff", community_=community)
    case = Case(
        community_id=community.id,
        compound_id=building.compound_id,
        building_id=building.id,
        category="drain",
        description="主管道堵塞",
        channel="phone",
        status="void",
        tracking_token="sweep-notice-1",
    )
    db.session.add(case)
    make.commit()
    auth.login(staff)
    response = client.post(
        f"/cases/{case.id}/notices",
        data={"entrance_id": "99999999999", "floors": "2-6层", "extra": "请少用水"},
    )
    assert response.status_code in (409, 422)
    assert "请少用水" in response.get_data(as_text=True)
