"""CPU milliseconds per request, in-process, for the floor page and Open311 GET requests.json
(run_open311.sh calls it): the default window, the filters, and the SQL statements of each.

Usage: DATABASE_URL=... python bench/open311_cpu.py FLOOR_DIR
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from cpu_ratio import cpu_ms, floor_ms, statements  # noqa: E402

BASE = "/open311/v2/requests"
DEFAULT = [f"{BASE}.json"]
FILTERS = [
    f"{BASE}.json?service_code=drain",
    f"{BASE}.json?status=open",
    f"{BASE}.json?status=closed",
    f"{BASE}.json?service_code=drain,trees&status=open",
    f"{BASE}.json?start_date=2024-01-01T00:00:00Z&end_date=2024-03-01T00:00:00%2B08:00",
    f"{BASE}.json?page=7",
    f"{BASE}.json?service_request_id=17,4711,123456",
]


def main(floor_dir: str) -> None:
    floor = floor_ms(floor_dir)
    from coordinator import create_app

    app = create_app()
    client = app.test_client()
    rows = [
        ("floor /items", floor),
        ("requests.json (default)", cpu_ms(client, DEFAULT)),
        ("requests.json (filters)", cpu_ms(client, FILTERS, n=140)),
        ("requests.xml (default)", cpu_ms(client, [f"{BASE}.xml"], n=100)),
    ]
    print("\nCPU ms per request (in-process, median of 3 runs):")
    for name, ms in rows:
        print(f"  {name:<28}{ms:>7.2f}   floor/this {floor / ms:.2f}")
    counts = {url: statements(app, client, url) for url in (*DEFAULT, *FILTERS)}
    print(
        "SQL statements per request: "
        + ", ".join(f"{url.removeprefix(BASE) or '.json'} {n}" for url, n in counts.items())
    )


if __name__ == "__main__":
    main(sys.argv[1])
