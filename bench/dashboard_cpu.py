"""CPU milliseconds per request, in-process: the floor page and the dashboard (staff, admin),
with the SQL statements per page. wrk's req/s move with whatever else the machine is doing;
CPU time per request much less. Usage (run_dashboard.sh calls it):
DATABASE_URL=... python bench/dashboard_cpu.py FLOOR_DIR
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cpu_ratio import cpu_ms, floor_ms, signed_in, statements  # noqa: E402

from coordinator import (
    create_app,  # noqa: E402
    months,  # noqa: E402
)
from coordinator.dashboard import queries  # noqa: E402


def main(floor_dir: str) -> None:
    floor = floor_ms(floor_dir)
    app = create_app()
    with app.app_context():
        ids = [i for i, _name in queries.communities()]
    window = [months.label(m) for m in months.window(months.month_of(), 12)]
    staff_urls = ["/dashboard/"] + [f"/dashboard/?month={m}" for m in window]
    admin_urls = ["/dashboard/"] + [
        f"/dashboard/?month={m}&community={ids[i % len(ids)]}" for i, m in enumerate(window)
    ]
    print(f"{'page':<24}{'CPU ms':>8}{'floor/ours':>12}{'statements':>12}")
    print(f"{'floor /items':<24}{floor:>8.2f}{1:>12.2f}{'':>12}")
    for name, phone, urls in (
        ("/dashboard (staff)", "13800000002", staff_urls),
        ("/dashboard (admin)", "13800000001", admin_urls),
    ):
        client = signed_in(app, phone)
        ms = cpu_ms(client, urls, n=100)
        counts = sorted({statements(app, client, url) for url in urls})
        print(f"{name:<24}{ms:>8.2f}{floor / ms:>12.2f}{str(counts):>12}")


if __name__ == "__main__":
    main(sys.argv[1])
