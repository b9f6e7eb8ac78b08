"""The dashboard's views (their URLs: blueprint.py)."""

from babel.dates import format_skeleton
from flask import abort, current_app, request, url_for
from flask_babel import format_date, get_locale
from flask_login import current_user

from coordinator import access
from coordinator.access import ADMIN, OFFICE, allow
from coordinator.cases.models import TIER_SHORT, TIERS
from coordinator.categories import category_labels
from coordinator.dashboard import charts, months, queries, rates, services
from coordinator.exports.files import to_xlsx
from coordinator.i18n import gettext as _
from coordinator.i18n import short_when, to_local
from coordinator.rendering import render
from coordinator.work import unit_of_work


def _freeze_first(now) -> None:
    """The first read of a process in a new month freezes the month that ended."""
    with unit_of_work() as session:
        services.ensure_frozen(now, session.connection())


def _month_arg(now):
    """The month asked for (?month=YYYY-MM, one of the window's), or 404."""
    current = months.month_of(now)
    text = request.args.get("month")
    if text is None or text == "":
        return current
    month = months.parse(text)
    if month is None or month not in months.window(current, _months()):
        abort(404)
    return month


def _months() -> int:
    return current_app.config.get("DASHBOARD_MONTHS", 12)


def _community_arg():
    text = request.args.get("community")
    if text is None or text == "":
        return None
    if not text.isdigit() or len(text) > 9:
        abort(404)
    return int(text)


def board_links(community_id: int, month) -> dict:
    """The board's address for each number of a community's month (status=all: every case)."""
    since, until = month.isoformat(), months.last_day(month).isoformat()
    base = {"community": community_id, "since": since, "until": until}
    board = "cases.board"
    return {
        "received": url_for(board, **base, status="all"),
        "closed": url_for(board, **base, status="closed", dated="closed"),
        "overdue": url_for(board, community=community_id, status="overdue"),
        "tier": lambda tier: url_for(board, **base, status="all", tier=tier, dated="handled"),
        "category": lambda code: url_for(
            board, **base, status="all", category=code, dated="handled"
        ),
        "category_received": lambda code: url_for(board, **base, status="all", category=code),
    }


def _chart_data(name: str, trend) -> dict:
    labels = [format_date(m.month, "MMM") for m in trend]
    if name == "rates":
        return {
            "title": _("Three rates and composite, last 12 months (%)"),
            "labels": labels,
            "range": [0, 100],
            "series": [
                [_("Response rate"), [line.response for line in trend]],
                [_("Resolution rate"), [line.resolution for line in trend]],
                [_("Satisfaction rate"), [line.satisfaction for line in trend]],
                [_("Composite score"), [line.composite for line in trend]],
            ],
        }
    return {
        "title": _("Cases received and closed, last 12 months"),
        "labels": labels,
        "series": [
            [_("Received"), [line.received for line in trend]],
            [_("Closed"), [line.closed for line in trend]],
        ],
    }


CHARTS = ("rates", "cases")


def _stamp_text(kind: str, at, month, now) -> str:
    """When the figures were computed: the current month's rows are kept as cases change, so
    they stand as of now; an ended month's were computed once, when it froze."""
    if kind == "live" or (kind == "none" and month == months.month_of(now)):
        return _("This month's figures: live, as of %(time)s", time=to_local(now).strftime("%H:%M"))
    if at is None:
        return _("No figures for this month yet.")
    return _("%(month)s: frozen %(when)s", month=month_name(month), when=short_when(at))


def month_name(month) -> str:
    """2026年11月 / Nov 2026."""
    return format_skeleton("yMMM", month, locale=get_locale())


@allow(OFFICE)
def index():
    now = services.clock()
    _freeze_first(now)
    month = _month_arg(now)
    view = queries.overview(current_user, month, _community_arg(), now)
    if view is None:
        abort(404)
    links = board_links(view["community_id"], month)
    row_links = {line.community_id: board_links(line.community_id, month) for line in view["lines"]}
    chart_urls = {
        name: url_for(
            "dashboard.chart",
            name=name,
            community=view["community_id"],
            v=charts.key(name, _chart_data(name, view["trend"])),
        )
        for name in CHARTS
    }
    kind, at = view["stamp"]
    return render(
        "dashboard/index.html",
        **view,
        links=links,
        board_links=board_links,
        row_links=row_links,
        chart_urls=chart_urls,
        stamp_text=_stamp_text(kind, at, month, now),
        frozen=kind == "frozen",
        tier_names={code: str(label) for code, label in TIER_SHORT.items()},
        tier_order=list(TIERS),
        labels=category_labels(),
        ratio=rates.ratio_percent,
        weights=queries.weights(),
        month_label=months.label,
        month_name=month_name,
        is_admin=current_user.role == ADMIN,
    )


@allow(OFFICE)
def chart(name):
    if name not in CHARTS:
        abort(404)
    community_id = _community_arg()
    if current_user.role == access.STAFF:
        if community_id not in (None, current_user.community_id):
            abort(404)
        community_id = current_user.community_id
    if community_id is None or community_id not in dict(queries.communities()):
        abort(404)
    data = _chart_data(name, queries.trend(community_id, services.clock()))
    etag, body = charts.svg(name, data)
    response = current_app.response_class(body, mimetype="image/svg+xml")
    response.set_etag(etag)
    # The page names the chart with its figures' key (?v=): the same address is the same chart.
    response.cache_control.private = True
    response.cache_control.max_age = 3600 if request.args.get("v") == etag else 0
    response.vary.add("Cookie")
    return response.make_conditional(request)


@allow(OFFICE)
def month_xlsx(month):
    now = services.clock()
    wanted = months.parse(month)
    if wanted is None or wanted not in months.window(months.month_of(now), _months()):
        abort(404)
    _freeze_first(now)
    view = queries.overview(current_user, wanted, None, now)
    if view is None:
        abort(404)
    header = [
        _("Community"),
        _("Valid call-backs"),
        _("Response rate (%)"),
        _("Resolution rate (%)"),
        _("Satisfaction rate (%)"),
        _("Composite score"),
        _("Rank"),
        _("Received"),
        _("Closed"),
        _("Overdue"),
    ]
    rows = []
    for line in view["lines"]:
        if line.full:
            rows.append(
                [
                    line.name,
                    line.rates.callbacks,
                    line.response,
                    line.resolution,
                    line.satisfaction,
                    line.composite,
                    line.rank,
                    line.received,
                    line.closed,
                    line.overdue,
                ]
            )
        else:
            rows.append([line.name, None, None, None, None, line.composite, line.rank])
    kind, at = view["stamp"]
    rows.append([])
    rows.append([_stamp_text(kind, at, wanted, now)])
    body = to_xlsx(
        header,
        rows,
        _("Rates %(month)s", month=months.label(wanted)),
        (16, 10, 12, 12, 12, 12, 8, 10, 10, 10),
    )
    response = current_app.response_class(
        body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="rates-{months.label(wanted)}.xlsx"'
    )
    return response
