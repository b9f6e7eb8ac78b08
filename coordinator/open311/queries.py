"""Open311's read models: the services, a service definition, the discovery document, service
requests (our cases as the public may see them), a key by its text, and the admin's pages.

GET requests at a million cases: one statement per request, built once per process for its
shape (ids or a window; no, one or several service codes; which status) with every value a
bind parameter, run on the connection (paging.read_rows). The page of cases is picked by an
index walk over cases alone (created_at within the window, newest first; open cases by the
board's partial index), then the names of its places and team and its Open311 submission are
looked up for those rows only, as the board does (cases/queries.py, _named).

What a request shows the public (no key, or another client's key): where it stands and where it
is (compound, building, entrance), never who asked, their phone, their flat or floor, nor
what they wrote: a resident's description often names them. The description and media_url
are shown to the client whose key sent the case, which knows them already.
"""

from functools import cache
from typing import NamedTuple

from sqlalchemy import bindparam, select, text, update

from coordinator.cases.models import FINAL_STATUSES, OPEN_SQL, TIERS, Case, _sql_list
from coordinator.categories import CATEGORIES
from coordinator.extensions import db
from coordinator.i18n import gettext, per_language, translated
from coordinator.open311 import catalog
from coordinator.open311.addresses import address_id_of
from coordinator.open311.models import ApiKey, Submission, key_digest
from coordinator.open311.wire import MIME_TYPES, w3c
from coordinator.paging import read_rows
from coordinator.places.models import Building, Community, Compound, Entrance
from coordinator.teams.models import Team

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When the services or their definitions last changed (the discovery document's changeset):
# change it with coordinator/categories.py or catalog.py, so clients refresh what they cache.
CHANGESET = "2026-12-01T00:00:00+08:00"
FINAL_SQL = f"status IN ({_sql_list(FINAL_STATUSES)})"


# ---------------------------------------------------------------- services


@per_language
def service_list() -> list[dict]:
    """Every category as a service, in the spec's order of fields."""
    names = translated(CATEGORIES)
    return [
        {
            "service_code": code,
            "service_name": names[code],
            "description": str(catalog.DESCRIPTIONS[code]),
            "metadata": True,  # every service has the attributes below
            "type": "realtime",  # the case number comes back at once
            "keywords": str(catalog.KEYWORDS[code]),
            "group": str(catalog.GROUPS[catalog.GROUP_OF[code]]),
        }
        for code in CATEGORIES
    ]


@per_language
def _attributes() -> list[dict]:
    def attribute(code, datatype, order, values=None, datatype_description=None):
        return {
            "variable": True,
            "code": code,
            "datatype": datatype,
            "required": False,
            "datatype_description": datatype_description,
            "order": order,
            "description": str(catalog.ATTRIBUTE_TEXTS[code]),
            **({"values": values} if values is not None else {}),
        }

    tiers = translated(TIERS)
    return [
        attribute(
            catalog.URGENCY,
            "singlevaluelist",
            1,
            [{"key": code, "name": label} for code, label in tiers.items()],
        ),
        attribute(catalog.FLOOR, "number", 2, datatype_description=str(catalog.NUMBER_HINT)),
        attribute(catalog.HOUSEHOLD, "string", 3),
    ]


def service_definition(code: str) -> dict | None:
    if code not in CATEGORIES:
        return None
    return {"service_code": code, "attributes": _attributes()}


def discovery(base_url: str, contact: str, key_service: str) -> dict:
    return {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base_url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": list(MIME_TYPES),
            }
        ],
    }


def office_contact() -> tuple[str, str]:
    """The subdistrict's name and office phone, for the discovery document."""
    from coordinator.places.models import Subdistrict

    row = db.session.execute(select(Subdistrict.name, Subdistrict.office_phone).limit(1)).first()
    return (row.name, row.office_phone) if row else ("", "")


# ---------------------------------------------------------------- keys


def find_key(key: str):
    """The key row (id, client_name, revoked_at) for a key's text, or None."""
    if not key or len(key) > 200:
        return None
    return db.session.execute(
        select(ApiKey.id, ApiKey.client_name, ApiKey.revoked_at).where(
            ApiKey.key_hash == key_digest(key)
        )
    ).first()


def keys() -> list[ApiKey]:
    """Every key, active ones first, newest first; with who made and revoked it."""
    from sqlalchemy.orm import joinedload

    return list(
        db.session.scalars(
            select(ApiKey)
            .options(joinedload(ApiKey.created_by), joinedload(ApiKey.revoked_by))
            .order_by(ApiKey.revoked_at.is_not(None), ApiKey.id.desc())
        )
    )


def address_book() -> list[dict]:
    """Every compound with its buildings and their entrances, by community: the address ids
    to give a client. Three statements whatever the size of the map."""
    compounds = db.session.execute(
        select(Compound.id, Compound.name, Community.name.label("community"))
        .join(Community, Community.id == Compound.community_id)
        .order_by(Community.name, Compound.name)
    ).all()
    buildings = db.session.execute(
        select(Building.id, Building.name, Building.compound_id).order_by(Building.id)
    ).all()
    entrances = db.session.execute(
        select(Entrance.id, Entrance.name, Entrance.building_id).order_by(Entrance.id)
    ).all()
    doors: dict[int, list] = {}
    for row in entrances:
        doors.setdefault(row.building_id, []).append(row)
    houses: dict[int, list] = {}
    for row in buildings:
        houses.setdefault(row.compound_id, []).append(
            {"id": row.id, "name": row.name, "entrances": doors.get(row.id, [])}
        )
    return [
        {"id": c.id, "name": c.name, "community": c.community, "buildings": houses.get(c.id, [])}
        for c in compounds
    ]


def mark_used(key_id: int, now, every_seconds: int = 60) -> None:
    """Note when a key was last used, at most once a minute (a write on a read is kept rare).
    Its own short transaction, like the rate-limit counters."""
    from datetime import timedelta

    table = ApiKey.__table__
    with db.engine.begin() as conn:
        conn.execute(
            update(table)
            .where(table.c.id == key_id)
            .where(
                (table.c.last_used_at.is_(None))
                | (table.c.last_used_at < now - timedelta(seconds=every_seconds))
            )
            .values(last_used_at=now)
        )


# ---------------------------------------------------------------- service requests

COLUMNS = (
    "id",
    "category",
    "tier",
    "status",
    "description",
    "created_at",
    "updated_at",
    "closed_at",
    "due_at",
    "community_id",
    "compound_id",
    "building_id",
    "entrance_id",
    "team_id",
)


@cache  # one per shape: built once each
def statement(by_ids: bool, codes: int = 0, status: str = ""):
    """by_ids: the cases named (service_request_id overrides every other filter, as the spec
    says); else those requested within [start, end], of one or several service codes (codes =
    0, 1 or 2 for several), open or closed, newest first."""
    stmt = select(*(getattr(Case, name) for name in COLUMNS))
    if by_ids:
        stmt = stmt.where(Case.id.in_(bindparam("ids", expanding=True)))
    else:
        stmt = stmt.where(Case.created_at >= bindparam("start"))
        stmt = stmt.where(Case.created_at <= bindparam("end"))
        if codes == 1:
            stmt = stmt.where(Case.category == bindparam("code"))
        elif codes > 1:
            stmt = stmt.where(Case.category.in_(bindparam("codes", expanding=True)))
        # Literal SQL, so that the board's partial index of open cases serves "open".
        if status == "open":
            stmt = stmt.where(text("cases." + OPEN_SQL))
        elif status == "closed":
            stmt = stmt.where(text("cases." + FINAL_SQL))
    t = Case.__table__.c
    stmt = stmt.order_by(t.created_at.desc(), t.id.desc())
    page = stmt.limit(bindparam("limit")).offset(bindparam("offset")).subquery("page")

    def name_of(model, key):
        return select(model.name).where(model.id == page.c[key]).scalar_subquery()

    return (
        select(
            *(page.c[name] for name in COLUMNS),
            name_of(Team, "team_id").label("team_name"),
            name_of(Community, "community_id").label("community_name"),
            name_of(Compound, "compound_id").label("compound_name"),
            name_of(Building, "building_id").label("building_name"),
            name_of(Entrance, "entrance_id").label("entrance_name"),
            Submission.media_url,
            Submission.key_id,
        )
        .select_from(page.outerjoin(Submission, Submission.case_id == page.c.id))
        .order_by(page.c.created_at.desc(), page.c.id.desc())
    )


class Words(NamedTuple):
    """What every request of one answer is written with, in the reader's language."""

    names: dict
    notes: dict
    notices: dict
    no_team: str


@per_language
def words() -> Words:
    notice = catalog.SERVICE_NOTICE.msgid
    return Words(
        names=translated(CATEGORIES),
        # Translated, with %(team)s still in them: filled per row.
        notes={status: gettext(note.msgid) for status, note in catalog.STATUS_NOTES.items()},
        notices={tier: gettext(notice, tier=catalog.tier_label(tier)) for tier in TIERS},
        no_team=str(catalog.NO_TEAM),
    )


def _place(row) -> str:
    """红联北村 3号楼 2单元: the building's door, never the floor or the flat."""
    parts = [n for n in (row.compound_name, row.building_name, row.entrance_name) if n]
    if not parts and row.community_name:
        parts.append(row.community_name)
    return " ".join(parts)


def request_doc(row, words: Words, key_id: int | None) -> dict:
    """One case as a GeoReport `request`, every field of the spec in its order."""
    closed = row.status in FINAL_STATUSES
    own = key_id is not None and row.key_id == key_id
    note = words.notes.get(row.status, "")
    if "%(team)s" in note:
        note = note % {"team": row.team_name or words.no_team}
    return {
        "service_request_id": str(row.id),
        "status": "closed" if closed else "open",
        "status_notes": note,
        "service_name": words.names.get(row.category, row.category),
        "service_code": row.category,
        "description": row.description if own else None,
        "agency_responsible": row.team_name,
        "service_notice": None if closed else words.notices.get(row.tier),
        "requested_datetime": w3c(row.created_at),
        "updated_datetime": w3c((row.closed_at if closed else None) or row.updated_at),
        "expected_datetime": w3c(row.due_at),
        "address": _place(row),
        "address_id": address_id_of(row.compound_id, row.building_id, row.entrance_id),
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": (row.media_url or None) if own else None,
    }


def service_requests(filters: dict, key_id: int | None = None) -> list[dict]:
    """The requests the filters name (forms.parse_query made them), as documents."""
    if filters.get("ids") is not None:
        if not filters["ids"]:  # only ids no case can have
            return []
        stmt = statement(True)
        params = {"ids": filters["ids"], "limit": len(filters["ids"]), "offset": 0}
    else:
        codes = filters["codes"]
        stmt = statement(False, min(len(codes), 2), filters["status"])
        params = {
            "start": filters["start"],
            "end": filters["end"],
            "limit": filters["page_size"],
            "offset": (filters["page"] - 1) * filters["page_size"],
        }
        if len(codes) == 1:
            params["code"] = codes[0]
        elif codes:
            params["codes"] = codes
    written = words()
    return [request_doc(row, written, key_id) for row in read_rows(stmt, params)]


def service_request(case_id: int, key_id: int | None = None) -> dict | None:
    rows = read_rows(statement(True), {"ids": [case_id], "limit": 1, "offset": 0}).all()
    return request_doc(rows[0], words(), key_id) if rows else None
