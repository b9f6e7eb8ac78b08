"""What the dashboard's receivers add to a case write at 1,000,000 cases.

Each round opens a case as 红联北村社区's staff and walks it through dispatch, accept, start,
hand-over, verification and the call-back (7 use cases, each its own transaction), once with
the dashboard's receivers connected and once without (rounds alternate); the median ms per use
case of each, and the time spent inside the receivers, measured around them (the difference of
two medians drowns in the commit's own noise). Writes to DATABASE_URL (a bench copy).
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
        spent = []  # ms inside the receivers, one entry per receiver call
        by_step: dict[str, list[float]] = {}

        def timed_receiver(receiver):
            def run(*args, **kwargs):
                began = time.perf_counter()
                try:
                    return receiver(*args, **kwargs)
                finally:
                    ms = (time.perf_counter() - began) * 1000
                    spent.append(ms)
                    what = kwargs.get("action") or receiver.__name__
                    by_step.setdefault(what, []).append(ms)

            return run

        wrapped = [(signal, receiver, timed_receiver(receiver)) for signal, receiver in RECEIVERS]
        for signal, receiver, _timed in wrapped:
            signal.disconnect(receiver)
        results = {"with": [], "without": []}
        one_round(staff, lead, worker, template, skill)  # warm
        for turn in range(ROUNDS * 2):  # alternating, so that the machine's load hits both
            connected = turn % 2 == 0
            for signal, _receiver, timed in wrapped:
                (signal.connect if connected else signal.disconnect)(timed)
            times = one_round(staff, lead, worker, template, skill)
            results["with" if connected else "without"] += times
        for signal, receiver, timed in wrapped:
            signal.disconnect(timed)
            signal.connect(receiver)
        writes = len(results["with"])
        for label, times in results.items():
            print(
                f"{label + ' receivers':<20} median {statistics.median(times):.2f} ms, "
                f"mean {statistics.mean(times):.2f} ms per use case ({len(times)} writes)"
            )
        print(
            f"time inside the receivers: {sum(spent) / writes:.2f} ms per use case on average "
            f"({len(spent)} calls, median {statistics.median(spent):.2f} ms a call, "
            f"max {max(spent):.1f} ms)"
        )
        print(
            "  by step (median ms): "
            + ", ".join(f"{k} {statistics.median(v):.2f}" for k, v in sorted(by_step.items()))
        )


if __name__ == "__main__":
    main()
