"""The hot spots' part of the demo: their figures worked out from the story's cases and the
year of history before them (written as rows, around the use cases)."""

from coordinator.extensions import db
from coordinator.hotspots import counts, queries, repeats


def load() -> None:
    conn = db.session.connection()
    counts.rebuild(conn)
    repeats.rebuild(conn)
    queries.forget_frozen()
