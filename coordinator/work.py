"""One unit of work per use case: every service that changes data runs inside `unit_of_work()`.

The block commits once when it ends and rolls back everything when anything in it raises, so a
refusal after partial changes leaves nothing behind. Blocks nest: only the outermost commits, so
a use case may call another (a campaign creating cases) and still be one transaction.

Two kinds of database refusals become a `Refused` here, at the one place that commits, instead
of a 500 wherever they happen to surface:

- a unique key already taken by a concurrent request (`IntegrityError`): 409, with the words
  the caller passed as `conflict=` (say which field, so the form can show it there);
- a conditional write that found the row changed since it was read (`StaleDataError`, from a
  mapper's `version_id_col`, or `Conflict` raised by `update_where`): 409.

Callers who want to say *who* got there first catch `Conflict` around their block, roll back
(already done) and read the winner's trail (cases do: "already dispatched by 王伟 at 14:02").
"""

from contextlib import contextmanager

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from coordinator.extensions import db
from coordinator.i18n import lazy_gettext as _l
from coordinator.rules import Refused

_DEPTH = "unit_of_work_depth"


class Conflict(Refused):
    """The row was changed by someone else between our read and our write (409)."""

    def __init__(self, message=None, field=None):
        super().__init__(
            message or _l("Someone else changed this just now. Reload and try again."),
            field=field,
            status=409,
        )


@contextmanager
def unit_of_work(conflict=None, field: str | None = None):
    """Run a use case as one transaction (see the module note).

    conflict/field: the words and field for a unique-key race (IntegrityError) in this block.
    """
    session = db.session
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        yield session
        if depth == 0:
            session.commit()
        else:
            session.flush()
    except IntegrityError as error:
        if depth:
            raise
        session.rollback()
        raise Refused(
            conflict or _l("This was saved by someone else just now. Reload and try again."),
            field=field,
            status=409,
        ) from error
    except StaleDataError as error:
        if depth:
            raise
        session.rollback()
        raise Conflict() from error
    except BaseException:
        if depth == 0:
            session.rollback()
        raise
    finally:
        session.info[_DEPTH] = depth


def update_where(model, ident, seen: dict, **values) -> None:
    """A conditional write: UPDATE model SET values WHERE id = ident AND each seen column still
    holds the value it was read with. 0 rows means someone changed it first: `Conflict`.

    The ORM objects in the session are refreshed from what was written (synchronize 'fetch' is
    not needed: the values are known), so the rest of the use case sees the new state.
    """
    stmt = update(model).where(model.id == ident)
    for column, value in seen.items():
        stmt = stmt.where(getattr(model, column) == value)
    result = db.session.execute(
        stmt.values(**values).execution_options(synchronize_session="evaluate")
    )
    if result.rowcount != 1:
        raise Conflict()


def insert_for(conn, table):
    """An INSERT into table in the connection's own dialect (PostgreSQL or SQLite), the kind
    that takes ON CONFLICT DO NOTHING / DO UPDATE: the counters and rows that are added to
    when two writers come at once (rate limits, team records, the dashboard, the hot spots)."""
    return (postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert)(table)
