"""Open311's use cases: an admin makes or revokes a client's key; a client posts a service
request, which becomes a case like any other (channel "open311"), in one unit of work."""

import secrets

from sqlalchemy import update

from coordinator import access
from coordinator.cases import services as cases
from coordinator.cases.workflow import Guest
from coordinator.extensions import db
from coordinator.i18n import gettext as _
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import utcnow
from coordinator.open311.addresses import Place
from coordinator.open311.models import KEY_PREFIX, ApiKey, Submission, key_digest
from coordinator.rules import Refused
from coordinator.work import Conflict, unit_of_work

CHANNEL = "open311"


def _admin_only(actor) -> None:
    if actor.role != access.ADMIN:
        raise Refused(_l("Only a subdistrict admin can manage Open311 keys."), status=403)


def make_key(actor, client_name: str, contact: str = "") -> tuple[ApiKey, str]:
    """A new key for a client system: (its row, the key itself). The key is shown once, to the
    admin who made it, and only its digest is kept: lost, it is revoked and made anew."""
    _admin_only(actor)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with unit_of_work():
        row = ApiKey(
            client_name=client_name.strip(),
            contact=(contact or "").strip(),
            key_hash=key_digest(key),
            key_start=key[: len(KEY_PREFIX) + 6],
            created_by_id=actor.id,
            created_at=utcnow(),
        )
        db.session.add(row)
    return row, key


def revoke_key(actor, key_id: int) -> ApiKey:
    """Revoke a key at once; from the next request it is refused (403). Written on the state it
    was read in: a key revoked twice at the same moment is revoked once, by whoever was first."""
    _admin_only(actor)
    key = db.session.get(ApiKey, key_id)
    if key is None:
        raise Refused(_l("There is no such key."), status=404)
    if key.revoked_at is not None:
        raise Refused(_already_revoked(key), status=409)
    try:
        with unit_of_work():
            result = db.session.execute(
                update(ApiKey)
                .where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None))
                .values(revoked_at=utcnow(), revoked_by_id=actor.id)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                raise Conflict()
    except Conflict:
        db.session.expire_all()
        raise Refused(_already_revoked(db.session.get(ApiKey, key_id)), status=409) from None
    db.session.expire(key)
    return key


def _already_revoked(key: ApiKey) -> str:
    from coordinator.i18n import when

    who = key.revoked_by.name if key.revoked_by else _("someone")
    return _(
        "This key was already revoked by %(who)s at %(when)s.", who=who, when=when(key.revoked_at)
    )


def submit_request(key, place: Place, category: str, fields: dict, extra: dict):
    """A client's service request becomes a case: logged in the trail by the client's name,
    channel "open311", at the place its address named; with the Open311 fields a case has no
    column for (Submission), and the key's last use, in the same transaction. Anything
    refused undoes all of it."""
    actor = Guest(role=access.RESIDENT, name=f"{key.client_name} (Open311)"[:80])
    data = {
        "category": category,
        "tier": fields.get("tier") or "general",
        "channel": CHANNEL,
        "floor": fields.get("floor"),
        "household": fields.get("household") or "",
        "reporter_name": fields.get("reporter_name") or "",
        "reporter_phone": fields.get("reporter_phone") or "",
        "description": fields.get("description") or "",
        "community_id": place.community_id,
        "compound_id": place.compound_id,
        "building_id": place.building_id,
        "entrance_id": place.entrance_id,
    }
    now = utcnow()
    with unit_of_work():
        case = cases.open_case(actor, data)
        db.session.add(
            Submission(
                case_id=case.id,
                key_id=key.id,
                media_url=extra.get("media_url") or "",
                email=extra.get("email") or "",
                device_id=extra.get("device_id") or "",
                account_id=extra.get("account_id") or "",
                created_at=now,
            )
        )
        db.session.execute(
            update(ApiKey)
            .where(ApiKey.id == key.id)
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
    return case
