"""The hot spots' view (its URL: blueprint.py)."""

from urllib.parse import urlencode

from flask import request
from flask_login import current_user

from coordinator.access import OFFICE, allow
from coordinator.cases.forms import _id as picker_id
from coordinator.hotspots import periods, queries
from coordinator.i18n import calendar_day, translated
from coordinator.rendering import render
from coordinator.rules import Refused


def hotspots_context() -> tuple[dict, int]:
    """The page's context and status: the figures of the period asked for, or the form with
    the reason at its field (400) when the period makes no sense."""
    shown = {
        "period": request.args.get("period") or periods.DEFAULT,
        "from": (request.args.get("from") or "")[:20],
        "to": (request.args.get("to") or "")[:20],
    }
    context = {"shown": shown, "choices": translated(periods.CHOICES), "errors": {}}
    try:
        period = periods.parse(request.args)
    except Refused as refused:
        context["errors"][refused.field] = str(refused.message)
        return context, refused.status
    kept = {"period": period.choice}
    if period.choice == "range":
        kept.update({"from": period.start.strftime("%Y-%m"), "to": period.end.strftime("%Y-%m")})
        shown.update(kept)
    compound = picker_id(request.args.get("compound"))
    context.update(
        period=period,
        span=(calendar_day(period.start), calendar_day(period.last_day)),
        **queries.page(
            current_user, period, compound if compound and compound > 0 else None, urlencode(kept)
        ),
    )
    return context, 200


@allow(OFFICE)
def index():
    """Hot spots for a period: admins over every community, staff over their own."""
    context, status = hotspots_context()
    return render("hotspots/index.html", status=status, **context)
