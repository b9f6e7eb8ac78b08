"""What the dashboard's receivers add to a case write at 1,000,000 cases.

Each round opens a case as 红联北村社区's staff and walks it through dispatch, accept, start,
hand-over, verification and the call-back (7 use cases, each its own transaction), once with
the dashboard's receivers connected and once without; the median ms per use case of each, and
the difference. Writes to DATABASE_URL (a bench copy).
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from coordinator import create_app  # noqa: E402
from coordinator.auth.models import User  # noqa: E402
from coordinator.cases import services as cases  # noqa: E402
from coordinator.cases import signals  # noqa: E402
from coordinator.cases.models import Case  # noqa: E402
from coordinator.dashboard import services  # noqa: E402
from coordinator.extensions import db  # noqa: E402
from coordinator.teams.models import Team  # noqa: E402

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 20
RECEIVERS = [
    (signals.case_opened, services.on_case_opened),
    (signals.case_moved, services.on_case_moved),
    (signals.callback_added, services.on_callback_added),
]


def one_round(staff, lead, worker, template, skill) -> list[float]:
    times = []

    def timed(step):
        began = time.perf_counter()
        result = step()
        times.append((time.perf_counter() - began) * 1000)
        return result

    data = {
        "channel": "phone",
        "hotline_ticket": "",
        "category": skill,
        "tier": "general",
        "community_id": template.community_id,
        "compound_id": template.compound_id,
        "building_id": template.building_id,
        "entrance_id": template.entrance_id,
        "floor": 1,
        "household": "101",
        "reporter_name": "李阿姨",
        "reporter_phone": "13912345678",
        "description": "厨房下水道反水（压测）",
    }
    case = timed(lambda: cases.open_case(staff, data))
    timed(lambda: cases.dispatch(staff, case, lead.team_id))
    for actor, action in ((lead, "accept"), (worker, "start")):
        timed(lambda a=actor, s=action: cases.act(a, case, s))
    timed(lambda: cases.act(worker, case, "handle"))  # (the form's photo is not the point)
    timed(lambda: cases.verify(staff, case, True))
    answers = {"contacted": "yes", "solved": "yes", "satisfaction": "satisfied", "note": ""}
    timed(lambda: cases.record_callback(staff, case, answers))
    return times


def main():
    app = create_app()
    with app.app_context():
        staff = db.session.scalar(select(User).where(User.phone == "13800000002"))
        lead = db.session.scalar(select(User).where(User.phone == "13800000005"))
        worker = db.session.scalar(select(User).where(User.phone == "13800000006"))
        template = db.session.scalar(
            select(Case)
            .where(Case.community_id == staff.community_id, Case.building_id.is_not(None))
            .limit(1)
        )
        skill = db.session.get(Team, lead.team_id).skills[0].skill
        results = {}
        for label in ("with receivers", "without receivers", "with receivers (again)"):
            connected = label.startswith("with ")
            for signal, receiver in RECEIVERS:
                (signal.connect if connected else signal.disconnect)(receiver)
            one_round(staff, lead, worker, template, skill)  # warm
            times = [
                t for _ in range(ROUNDS) for t in one_round(staff, lead, worker, template, skill)
            ]
            results[label] = statistics.median(times)
            print(f"{label:<24} median {results[label]:.2f} ms per use case ({len(times)} writes)")
        added = (results["with receivers"] + results["with receivers (again)"]) / 2 - results[
            "without receivers"
        ]
        print(f"receivers add {added:.2f} ms per use case (median of each)")


if __name__ == "__main__":
    main()
