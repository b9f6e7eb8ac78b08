"""Full exports: only an admin, only with a purpose, always logged in the same transaction."""

import json

from coordinator import access
from coordinator.exports.models import FullExport
from coordinator.extensions import db
from coordinator.i18n import lazy_gettext as _l
from coordinator.rules import Refused
from coordinator.work import unit_of_work


def may_export_in_full(actor) -> bool:
    """Unmasked ID numbers are for the subdistrict's official reporting, not the duty desk."""
    return actor.role == access.ADMIN


def log_full_export(actor, export: str, purpose: str, filters: dict, rows: int) -> FullExport:
    """Write the audit row for a full export before any data leaves: who, when, why, what.

    Refused (403) for anyone but an admin; refused (422, at the purpose) without a purpose.
    """
    if not may_export_in_full(actor):
        raise Refused(_l("Only a subdistrict admin can export full ID numbers."), status=403)
    purpose = (purpose or "").strip()
    if not purpose:
        raise Refused(
            _l("Say for what official purpose you need the full ID numbers."),
            field="purpose",
            status=422,
        )
    with unit_of_work():
        entry = FullExport(
            user_id=actor.id,
            export=export,
            purpose=purpose,
            filters=json.dumps(_plain(filters), ensure_ascii=False, sort_keys=True),
            rows=rows,
        )
        db.session.add(entry)
    return entry


def _plain(filters: dict) -> dict:
    """The filter's values as JSON can hold them (dates as YYYY-MM-DD); unset ones left out."""
    return {
        key: value.isoformat() if hasattr(value, "isoformat") else value
        for key, value in filters.items()
        if value not in (None, "", 0)
    }
