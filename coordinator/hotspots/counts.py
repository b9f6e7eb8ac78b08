"""place_month_counts: cases per local month, place and category, in the case's transaction.

`add()` runs on cases.signals.case_opened, on the session's connection: one upsert of two
rows (the compound's and the building's), `cases = cases + 1`, which is safe when two cases
come at once (SQLite writes one transaction at a time; PostgreSQL's ON CONFLICT DO UPDATE
waits for the other and adds to what it wrote). What a rolled-back case added goes with it.
A case's place and category do not change once logged, so nothing else moves these rows.

Planned work (channels campaign and plan: not `Case.is_reported`) is not a complaint:
it is never counted (services.case_opened skips it, rebuild leaves it out).

`rebuild()` works them out again from the cases (bulk loads, the demo's history, a repair).
"""

from datetime import UTC, datetime

from sqlalchemy import Date, cast, delete, func, insert, literal, literal_column, select, text

from coordinator import months
from coordinator.cases.models import Case
from coordinator.hotspots.models import WHOLE, PlaceMonthCount
from coordinator.i18n import LOCAL
from coordinator.work import insert_for

TABLE = PlaceMonthCount.__table__


def _upsert(conn):
    stmt = insert_for(conn, TABLE)
    return stmt.on_conflict_do_update(
        index_elements=["month", "community_id", "compound_id", "building_id", "category"],
        set_={"cases": TABLE.c.cases + stmt.excluded.cases},
    )


def add(conn, case: Case, n: int = 1) -> None:
    """Count one case (n = -1 takes it back) in its compound's row and its building's."""
    base = {
        "month": months.month_of(case.created_at),
        "community_id": case.community_id,
        "compound_id": case.compound_id or WHOLE,
        "category": case.category,
        "cases": n,
    }
    rows = [{**base, "building_id": WHOLE}]
    if case.building_id:
        rows.append({**base, "building_id": case.building_id})
    conn.execute(_upsert(conn), rows)


def local_month_sql(conn, column):
    """The first day of the local month of a naive-UTC column, in the database's SQL. The zone
    is a fixed offset from UTC (Asia/Shanghai has had no daylight saving time since 1991)."""
    hours = int(LOCAL.utcoffset(datetime.now(UTC).replace(tzinfo=None)).total_seconds() // 3600)
    if conn.dialect.name == "postgresql":
        shifted = column + text(f"interval '{hours} hours'")
        return cast(func.date_trunc(literal_column("'month'"), shifted), Date)
    # Literal words, not bound parameters: GROUP BY must repeat the very same expression.
    return func.date(
        column, literal_column(f"'{hours:+d} hours'"), literal_column("'start of month'")
    )


def rebuild(conn) -> int:
    """Every row again from the cases: the compounds' rows, then the buildings'. Returns the
    number of rows written."""
    conn.execute(delete(TABLE))
    month = local_month_sql(conn, Case.created_at).label("month")
    compound = func.coalesce(Case.compound_id, WHOLE).label("compound_id")
    columns = ["month", "community_id", "compound_id", "building_id", "category", "cases"]
    whole = (
        select(
            month,
            Case.community_id,
            compound,
            literal(WHOLE).label("building_id"),
            Case.category,
            func.count().label("cases"),
        )
        .where(Case.is_reported)
        .group_by(month, Case.community_id, compound, Case.category)
    )
    buildings = (
        select(
            month,
            Case.community_id,
            compound,
            Case.building_id,
            Case.category,
            func.count().label("cases"),
        )
        .where(Case.building_id.is_not(None), Case.is_reported)
        .group_by(month, Case.community_id, compound, Case.building_id, Case.category)
    )
    for source in (whole, buildings):
        conn.execute(insert(TABLE).from_select(columns, source))
    return conn.scalar(select(func.count()).select_from(TABLE))
