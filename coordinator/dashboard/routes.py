"""The dashboard's views (their URLs: blueprint.py)."""

from functools import lru_cache
from urllib.parse import quote

from babel.dates import format_date, format_skeleton
from flask import abort, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from coordinator import access, memo, months
from coordinator.access import ADMIN, OFFICE, allow
from coordinator.cases.models import TIER_SHORT, TIERS
from coordinator.categories import category_labels
from coordinator.dashboard import charts, queries, rates, services
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


def board_links(community_id: int, month, board: str | None = None) -> dict:
    """The board's address for each number of a community's month (status=all: every case).
    Written out here rather than by url_for for each of the page's ~80 numbers: the values are
    ids, ISO dates and category and tier codes, nothing that needs quoting."""
    board = board or url_for("cases.board")
    since, until = month.isoformat(), months.last_day(month).isoformat()
    base = f"{board}?community={community_id}&since={since}&until={until}"
    return {
        "received": f"{base}&status=all",
        "closed": f"{base}&status=closed&dated=closed",
        "overdue": f"{board}?community={community_id}&status=overdue",
        "tier": lambda tier: f"{base}&status=all&tier={quote(tier)}&dated=handled",
        "category": lambda code: f"{base}&status=all&category={quote(code)}&dated=handled",
        "category_received": lambda code: f"{base}&status=all&category={quote(code)}",
    }


def _chart_data(name: str, trend) -> dict:
    labels = [short_month(m.month) for m in trend]
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


def _pct(value) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _pts(value) -> str:
    return "—" if value is None else f"{value:.2f}"


def _hours(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def _stamp_text(kind: str, at, month, now) -> str:
    """When the figures were computed: the current month's rows are kept as cases change, so
    they stand as of now; an ended month's were computed once, when it froze."""
    if kind == "live" or (kind == "none" and month == months.month_of(now)):
        return _("This month's figures: live, as of %(time)s", time=to_local(now).strftime("%H:%M"))
    if at is None:
        return _("No figures for this month yet.")
    return _("%(month)s: frozen %(when)s", month=month_name(month), when=short_when(at))


@lru_cache(maxsize=512)
def _month_words(month, locale: str, short: bool) -> str:
    if short:
        return format_date(month, "MMM", locale=locale)
    return format_skeleton("yMMM", month, locale=locale)


def month_name(month) -> str:
    """2026年11月 / Nov 2026."""
    return _month_words(month, str(get_locale()), False)


def short_month(month) -> str:
    """11月 / Nov."""
    return _month_words(month, str(get_locale()), True)


def _figures_key(view: dict, board: str) -> dict:
    """Everything the figures' part of the page is made of, as plain values: its cache key."""
    lines = [
        (
            line.community_id,
            line.name,
            line.received,
            line.closed,
            line.overdue,
            line.rates.callbacks,
            line.rates.composite,
            line.rates.response,
            line.rates.resolution,
            line.rates.satisfaction,
            line.rank,
            line.full,
        )
        for line in view["lines"]
    ]
    trend = [
        (t.month, t.received, t.closed, t.rates.callbacks, t.rates.composite, t.rates.response)
        for t in view["trend"]
    ] + [(t.rates.resolution, t.rates.satisfaction) for t in view["trend"]]
    return {
        "lang": str(get_locale()),
        "admin": current_user.role == ADMIN,
        "month": view["month"],
        "current": view["current"],
        "community": view["community_id"],
        "board": board,
        "lines": lines,
        "tiers": [tuple(row) for row in view["tiers"]],
        "categories": [tuple(row) for row in view["categories"]],
        "trend": trend,
        "stamps": view["stamps"],
        "weights": queries.weights(),
    }


def _figures_html(view: dict, month) -> Markup:
    """The page's figures (templates/dashboard/_figures.html), rendered once for each set of
    figures, language and scope, and kept by this worker (memo.remember): a request whose
    figures are the same as an earlier one's only reads them and hashes them."""
    board = url_for("cases.board")

    def build() -> Markup:
        community_id = view["community_id"]
        chart_urls = {
            name: url_for(
                "dashboard.chart",
                name=name,
                community=community_id,
                v=memo.key(name, _chart_data(name, view["trend"])),
            )
            for name in CHARTS
        }
        html = render_template(
            "dashboard/_figures.html",
            **view,
            links=board_links(community_id, month, board),
            row_links={
                line.community_id: board_links(line.community_id, month, board)
                for line in view["lines"]
            },
            trend_links=[board_links(community_id, t.month, board) for t in view["trend"]],
            pct=_pct,
            pts=_pts,
            hours=_hours,
            chart_urls=chart_urls,
            tier_names={code: str(label) for code, label in TIER_SHORT.items()},
            tier_order=list(TIERS),
            labels=category_labels(),
            ratio=rates.ratio_percent,
            weights=queries.weights(),
            month_label=months.label,
            month_name=month_name,
            short_when=short_when,
            is_admin=current_user.role == ADMIN,
        )
        return Markup(html)

    return memo.remember("figures", _figures_key(view, board), build)[1]


@allow(OFFICE)
def index():
    now = services.clock()
    _freeze_first(now)
    month = _month_arg(now)
    view = queries.overview(current_user, month, _community_arg(), now)
    if view is None:
        abort(404)
    kind, at = view["stamp"]
    return render(
        "dashboard/index.html",
        month=month,
        current=view["current"],
        window=view["window"],
        names=view["names"],
        community_id=view["community_id"],
        figures_html=_figures_html(view, month),
        stamp_text=_stamp_text(kind, at, month, now),
        frozen=kind == "frozen",
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
