"""The hot spots' figures: kept with the case in its transaction, rebuilt from source the
same; repeats by the rule of 90 days; shared attributes; the month's problem candidates."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from coordinator import months
from coordinator.cases import signals
from coordinator.cases.models import Case
from coordinator.extensions import db
from coordinator.hotspots import queries, repeats, services
from coordinator.hotspots.models import WHOLE, PlaceMonthCount, RepeatSpot
from coordinator.hotspots.periods import Period, parse
from coordinator.i18n import to_utc, utcnow
from coordinator.rules import Refused


def figures() -> list[tuple]:
    return sorted(
        db.session.execute(
            select(
                PlaceMonthCount.month,
                PlaceMonthCount.community_id,
                PlaceMonthCount.compound_id,
                PlaceMonthCount.building_id,
                PlaceMonthCount.category,
                PlaceMonthCount.cases,
            )
        ).all()
    )


def spots() -> list[tuple]:
    return sorted(
        db.session.execute(
            select(
                RepeatSpot.building_id,
                RepeatSpot.category,
                RepeatSpot.first_case_id,
                RepeatSpot.cases,
                RepeatSpot.first_at,
                RepeatSpot.last_at,
                RepeatSpot.dates,
            )
        ).all()
    )


def test_a_case_is_counted_in_its_compound_and_building(place):
    place.case()
    place.case(category="trees")
    place.case(building=place.other_building)
    place.case(building=False, compound=place.older, category="bikes")
    month = months.month_of(utcnow())
    got = {(r[2], r[3], r[4]): r[5] for r in figures()}
    assert all(r[0] == month for r in figures())
    assert got == {
        (place.old.id, WHOLE, "drain"): 2,
        (place.old.id, place.building.id, "drain"): 1,
        (place.old.id, place.other_building.id, "drain"): 1,
        (place.old.id, WHOLE, "trees"): 1,
        (place.old.id, place.building.id, "trees"): 1,
        (place.older.id, WHOLE, "bikes"): 1,
    }
    # The rebuild from the cases finds exactly what was kept.
    kept = figures()
    services.rebuild()
    assert figures() == kept


def test_a_rolled_back_case_leaves_the_figures_unchanged(place):
    place.case()
    before = figures()

    def refuse(case, **kw):
        raise Refused("no", status=409)

    with signals.case_opened.connected_to(refuse):
        with pytest.raises(Refused):
            place.case()
    db.session.rollback()
    assert figures() == before
    assert db.session.scalar(select(func.count(Case.id))) == 1


def test_the_month_is_the_local_month():
    # 31 Oct 20:00 UTC is 1 Nov 04:00 in Beijing.
    from datetime import datetime

    assert months.month_of(datetime(2026, 10, 31, 20, 0)) == date(2026, 11, 1)
    assert months.month_of(datetime(2026, 10, 31, 15, 59)) == date(2026, 10, 1)


def test_rebuild_uses_the_local_month(place):
    from datetime import datetime

    place.case(at=datetime(2026, 10, 31, 20, 0))
    services.rebuild()
    assert {r[0] for r in figures()} == {date(2026, 11, 1)}


def test_two_in_90_days_are_no_repeat(place, days_ago):
    place.case(at=days_ago(50))
    place.case()
    assert spots() == []


def test_three_in_90_days_are_a_repeat_and_a_fourth_extends_it(place, days_ago):
    first = place.case(at=days_ago(80))
    place.case(at=days_ago(30))
    place.case(building=place.other_building)  # another building: not the same spot
    place.case(category="trees")  # another category
    place.case()
    [spot] = spots()
    assert spot.building_id == place.building.id and spot.category == "drain"
    assert spot.first_case_id == first.id and spot.cases == 3
    place.case()
    [spot] = spots()
    assert spot.cases == 4 and len(spot.dates.split(",")) == 4
    kept = spots()
    services.rebuild()
    assert spots() == kept


def test_three_over_100_days_are_no_repeat(place, days_ago):
    place.case(at=days_ago(100))
    place.case(at=days_ago(50))
    place.case()
    assert spots() == []
    services.rebuild()
    assert spots() == []


def test_runs_rule():
    from datetime import datetime

    t = datetime(2026, 1, 1)
    at = [t + timedelta(days=d) for d in (0, 10, 20, 100, 300, 310, 320, 500)]
    found = list(repeats.runs(enumerate(at)))
    # 0,10,20 start a run; 100 comes within 90 days of 20; 300 is a new start.
    assert [(first, len(m)) for first, m in found] == [(0, 4), (4, 3)]


def test_shared_attributes_and_the_month_problem(place, app):
    for _ in range(3):
        place.case(category="bikes", building=False, compound=place.old)
        place.case(category="bikes", building=place.older_building)
    place.case(category="bikes", building=False, compound=place.new)
    place.case(category="drain")
    period = parse({"period": "month"})
    page = build(place.admin, period)
    bikes = next(p for p in page["shared"] if p["code"] == "bikes")
    assert [name for name, _n, _url in bikes["compounds"]] == ["红联北村", "西土城路8号院"]
    assert bikes["summary"] == "2 个小区：均为老旧小区、有自行车棚、建于1982–1985年"
    first = page["candidates"][0]
    assert (first["code"], first["cases"], first["compounds"], first["trend"]) == (
        "bikes",
        6,
        2,
        "new",
    )
    assert next(c for c in page["candidates"] if c["code"] == "drain")["cases"] == 1


def test_trend_against_the_period_before(place, days_ago):
    this_month = parse({"period": "month"})
    last = this_month.previous_start
    place.case(category="paving", at=to_utc_day(last))
    place.case(category="paving", at=to_utc_day(last))
    place.case(category="paving")
    services.rebuild()
    [paving] = [c for c in build(place.admin, this_month)["candidates"] if c["code"] == "paving"]
    assert (paving["cases"], paving["before"], paving["trend"], paving["change"]) == (
        1,
        2,
        "down",
        -50,
    )


def to_utc_day(first_day: date):
    from datetime import datetime, time

    return to_utc(datetime.combine(first_day, time(12)))


def build(actor, period: Period) -> dict:
    from flask import current_app

    with current_app.test_request_context("/hotspots"):
        return queries.page(actor, period, None, "period=month")


def test_periods():
    today = date(2026, 12, 1)
    assert parse({}, today) == Period(date(2026, 10, 1), date(2026, 12, 1), "3")
    p = parse({"period": "12"}, today)
    assert (p.start, p.end, p.months, p.previous_start) == (
        date(2026, 1, 1),
        date(2026, 12, 1),
        12,
        date(2025, 1, 1),
    )
    p = parse({"period": "range", "from": "2025-11", "to": "2026-02"}, today)
    assert (p.months, p.last_day, p.previous_start) == (4, date(2026, 2, 28), date(2025, 7, 1))
    for args, field in (
        ({"period": "7"}, "period"),
        ({"period": "range", "from": "2026-13", "to": "2026-12"}, "from"),
        ({"period": "range", "from": "2026-01", "to": ""}, "to"),
        ({"period": "range", "from": "2026-05", "to": "2026-01"}, "to"),
        ({"period": "range", "from": "2001-01", "to": "2026-01"}, "to"),
        ({"period": "range", "from": "１２３４-01", "to": "2026-01"}, "from"),
    ):
        with pytest.raises(Refused) as refused:
            parse(args, today)
        assert refused.value.field == field and refused.value.status == 400


def test_levels_by_quartile():
    shades = queries.levels([0, 1, 1, 2, 3, 5, 8, 13, 40])
    assert shades[1] == 1 and shades[40] == 4 and 0 not in shades
    assert sorted(set(shades.values())) == [1, 2, 3, 4]


def test_closed_months_are_kept_and_the_open_month_is_live(place, days_ago, count_queries):
    """A closed month's counts are read once; a case logged now shows at once."""
    from flask import current_app

    last_month = parse({"period": "month"}).previous_start
    place.case(at=to_utc_day(last_month))
    services.rebuild()
    period = parse({"period": "3"})
    with current_app.test_request_context("/hotspots"):
        first = queries.page(place.admin, period, None, "period=3")
        with count_queries() as kept:
            again = queries.page(place.admin, period, None, "period=3")
        assert again["total"] == first["total"] == 1
        place.case()
        assert place.admin.role  # loaded again after the commit, before counting
        with count_queries() as live:
            after = queries.page(place.admin, period, None, "period=3")
        assert after["total"] == 2 and live.count == kept.count


def test_planned_work_is_not_a_hot_spot(place):
    """A campaign's or a plan's cases (cases.models.PLANNED_CHANNELS) are not complaints: they
    are neither counted nor make a repeat, as they are logged or when rebuilt."""
    for channel in ("campaign", "plan", "plan"):
        case = place.case()
        db.session.get(Case, case.id).channel = channel
    db.session.commit()
    counted = figures()
    assert counted  # logged as phone calls, then made planned work
    services.rebuild()
    assert figures() == [] and spots() == []
    # Logged as planned work from the start: the receiver skips them.
    for _ in range(3):
        planned = Case(
            category="drain",
            tier="general",
            channel="campaign",
            community_id=place.building.compound.community_id,
            compound_id=place.building.compound_id,
            building_id=place.building.id,
            description="主立管检查",
            tracking_token=f"plan-{_}",
            created_at=utcnow(),
        )
        db.session.add(planned)
        db.session.flush()
        signals.case_opened.send(planned, at=planned.created_at)
    db.session.commit()
    assert figures() == [] and spots() == []
