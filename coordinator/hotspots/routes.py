"""The hot spots' view (its URL: blueprint.py)."""

from urllib.parse import urlencode

from flask import request
from flask_babel import get_locale
from flask_login import current_user
from jinja2_fragments.flask import render_block
from markupsafe import Markup

from coordinator import memo
from coordinator.access import OFFICE, allow
from coordinator.cases.forms import _id as picker_id
from coordinator.hotspots import periods, queries
from coordinator.i18n import calendar_day, translated
from coordinator.rendering import render
from coordinator.rules import Refused

FIGURES = "hotspots/_figures.html"


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
    compound = compound if compound and compound > 0 else None
    context.update(
        period=period,
        span=(calendar_day(period.start), calendar_day(period.last_day)),
        figures=_figures(period, compound, urlencode(kept)),
    )
    return context, 200


def _figures(period, compound: int | None, base_args: str) -> dict:
    """The grid and the lists, rendered once for each set of rows they show (and language)
    and kept by this worker (coordinator/memo.py): the closed months change only by a
    rebuild, the open month by a new case, and between those the page is read many times.
    A request whose rows are the same as an earlier one's only reads and hashes them."""
    inputs = queries.read(current_user, period, compound)

    def make() -> dict:
        shown = queries.build(inputs, period, compound, base_args)
        return {
            "grid": Markup(render_block(FIGURES, "grid", **shown)),
            "lists": Markup(render_block(FIGURES, "lists", **shown)),
            "total": shown["total"],
        }

    return memo.remember("hotspots", [str(get_locale()), base_args, inputs.key], make)[1]


@allow(OFFICE)
def index():
    """Hot spots for a period: admins over every community, staff over their own."""
    context, status = hotspots_context()
    return render("hotspots/index.html", status=status, **context)
