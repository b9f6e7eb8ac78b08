"""Call-backs for the seeded closed cases, then the dashboard's months worked out from them.

Run after bench/seed_cases.py on the same DATABASE_URL (bench/run_dashboard.sh does). One
INSERT … SELECT in the database (no rows through Python): every case closed in the last
13 months gets the resident's answers, dated when it closed; the answers come from the case
id (same every run): 95 % contacted, 85 % solved, 80 % satisfied, 15 % basically, 5 % not.
Then the team records and the dashboard's 12 months (frozen ones included) are worked out
again, as every bulk load around the services must (coordinator/dashboard/services.py).
"""

import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coordinator import create_app  # noqa: E402
from coordinator.cases import records  # noqa: E402
from coordinator.cases.models import Callback  # noqa: E402
from coordinator.dashboard import services  # noqa: E402
from coordinator.extensions import db  # noqa: E402
from coordinator.i18n import utcnow  # noqa: E402

INSERT = """
INSERT INTO case_callbacks
  (case_id, team_id, contacted, solved, satisfaction, by_resident, note, recorded_by_id,
   created_at)
SELECT id, team_id,
       ((id % 9973) * 7919) % 100 < 95,
       ((id % 9967) * 6841) % 100 < 85,
       CASE WHEN ((id % 9949) * 104729) % 100 < 80 THEN 'satisfied'
            WHEN ((id % 9949) * 104729) % 100 < 95 THEN 'basically'
            ELSE 'not' END,
       (id % 3 = 0), '', NULL, closed_at
FROM cases
WHERE status = 'closed' AND closed_at >= :since
  AND NOT EXISTS (SELECT 1 FROM case_callbacks cb WHERE cb.case_id = cases.id)
"""


def seed() -> tuple[int, float, float]:
    began = time.perf_counter()
    since = utcnow() - timedelta(days=400)
    db.session.execute(text(INSERT), {"since": since})
    db.session.commit()
    inserted = time.perf_counter() - began
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE case_callbacks"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    records.refresh(db.session.connection())
    db.session.commit()
    began = time.perf_counter()
    services.rebuild(db.session.connection(), 12)
    db.session.commit()
    rebuilt = time.perf_counter() - began
    count = db.session.scalar(select(func.count()).select_from(Callback))
    return count, inserted, rebuilt


if __name__ == "__main__":
    app = create_app()
    with app.app_context():
        count, inserted, rebuilt = seed()
    print(
        f"call-backs: {count:,} (inserted in {inserted:.0f} s); "
        f"dashboard rebuilt in {rebuilt:.1f} s"
    )
