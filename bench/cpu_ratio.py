"""CPU milliseconds per request, in-process, for the floor page and the signed-in team list.

wrk's requests/s move with whatever else the machine is doing; CPU time per request moves much
less, and floor/ours of it is what the req/s ratio tends to when both servers are CPU-bound.
Usage (run.sh calls it): DATABASE_URL=... python bench/cpu_ratio.py FLOOR_DIR
run_board.sh: DATABASE_URL=... python bench/cpu_ratio.py FLOOR_DIR board  (the dispatch board,
signed in as 红联北村社区's staff and as the admin, with the SQL statements per page)
run_events.sh: ... python bench/cpu_ratio.py FLOOR_DIR events  (the event list at 100,000 events)
"""

import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
N = 200


def cpu_ms(client, urls, n=N, headers=None):
    for url in urls:  # warm caches, compile templates
        assert client.get(url, headers=headers).status_code == 200, url
    runs = []
    for _ in range(3):
        start = time.process_time()
        for i in range(n):
            client.get(urls[i % len(urls)], headers=headers)
        runs.append((time.process_time() - start) / n * 1000)
    return statistics.median(runs)


def floor_ms(floor_dir: str) -> float:
    sys.path.insert(0, floor_dir)
    from app import create_app as floor_app  # the floor's app.py

    return cpu_ms(
        floor_app().test_client(), [f"/items?cat={i % 10}&page={i % 20 + 1}" for i in range(40)]
    )


def signed_in(app, phone: str = "13800000001"):
    client = app.test_client()
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"',
        client.get("/login").get_data(as_text=True),
    ).group(1)
    response = client.post(
        "/login", data={"csrf_token": token, "phone": phone, "password": "demo1234"}
    )
    assert response.status_code == 302, response.status_code
    return client


BOARD_PAGES = [f"/cases?page={i % 20 + 1}" for i in range(20)]
BOARD_FILTERS = [
    "/cases?q=%E4%B8%8B%E6%B0%B4%E9%81%93",
    "/cases?q=%23123456",
    "/cases?q=13912345678",
    "/cases?status=overdue&page=2",
    "/cases?category=drain&status=all&page=5",
    "/cases?status=closed&page=3",
    "/cases?channel=phone&since=2026-01-01&page=3",
]


def statements(app, client, url: str) -> int:
    """SQL statements one request runs (the board's must not grow with the page or the data)."""
    from sqlalchemy import event

    from coordinator.extensions import db

    seen = []
    with app.app_context():
        engine = db.engine

    def count(*_args):
        seen.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200, url
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def board(floor_dir: str) -> None:
    floor = floor_ms(floor_dir)
    sys.path.insert(0, str(ROOT))
    from coordinator import create_app

    app = create_app()
    rows = [("floor /items", floor)]
    queries = {}
    for who, phone in (("staff", "13800000002"), ("admin", "13800000001")):
        client = signed_in(app, phone)
        rows.append((f"board {who} pages 1..20", cpu_ms(client, BOARD_PAGES, n=100)))
        rows.append((f"board {who} filters", cpu_ms(client, BOARD_FILTERS, n=70)))
        queries[who] = {
            url: statements(app, client, url)
            for url in ("/cases", "/cases?page=2", "/cases?page=20", *BOARD_FILTERS)
        }
    print("\nCPU ms per request (in-process, median of 3 runs):")
    for name, ms in rows:
        print(f"  {name:<28}{ms:>7.2f}   floor/this {floor / ms:.2f}")
    print("SQL statements per request:")
    for who, counts in queries.items():
        print(
            f"  {who}: "
            + ", ".join(
                f"{url.removeprefix('/cases') or 'page 1'} {n}" for url, n in counts.items()
            )
        )


EVENT_PAGES = [f"/events?page={i % 20 + 1}" for i in range(20)]
EVENT_FILTERS = [
    "/events?when=past&page=3",
    "/events?when=past&page=17",
    "/events?kind=bike_drive&page=2",
    "/events?kind=cleanup",
    "/events?community=2&page=2",
]


def events(floor_dir: str) -> None:
    """run_events.sh: the event list at 100,000 events, signed in as a volunteer (刘芳)."""
    floor = floor_ms(floor_dir)
    sys.path.insert(0, str(ROOT))
    from coordinator import create_app

    app = create_app()
    client = signed_in(app, "13800000007")
    rows = [
        ("floor /items", floor),
        ("events pages 1..20", cpu_ms(client, EVENT_PAGES)),
        ("events past/kind", cpu_ms(client, EVENT_FILTERS, n=100)),
        (
            "events htmx fragment",
            cpu_ms(client, EVENT_PAGES, headers={"HX-Request": "true", "HX-Target": "results"}),
        ),
    ]
    print("\nCPU ms per request (in-process, median of 3 runs):")
    for name, ms in rows:
        print(f"  {name:<24}{ms:>7.2f}   floor/this {floor / ms:.2f}")
    counts = {
        url: statements(app, client, url) for url in ("/events", "/events?page=20", *EVENT_FILTERS)
    }
    print(
        "SQL statements per request: "
        + ", ".join(f"{url.removeprefix('/events') or 'page 1'} {n}" for url, n in counts.items())
    )


TEAM_PAGES = [f"/teams/?page={i % 20 + 1}" for i in range(20)]
TEAM_SEARCHES = ["/teams/?q=%E5%B8%88%E5%82%85", "/teams/?q=138", "/teams/?skill=drain&page=2"]


def main(floor_dir: str) -> None:
    floor = floor_ms(floor_dir)

    sys.path.insert(0, str(ROOT))
    from coordinator import create_app

    client = signed_in(create_app())
    pages = cpu_ms(client, TEAM_PAGES)
    search = cpu_ms(client, TEAM_SEARCHES, n=60)
    fragment = cpu_ms(client, TEAM_PAGES, headers={"HX-Request": "true", "HX-Target": "results"})
    bare = cpu_ms(client, ["/healthz"])
    print(f"\nCPU ms per request (in-process, median of 3 x {N}):")
    for name, ms in (
        ("floor /items", floor),
        ("teams pages 1..20", pages),
        ("teams search/skill", search),
        ("teams htmx fragment", fragment),
        ("/healthz signed in", bare),
    ):
        print(f"  {name:<22}{ms:>7.2f}")
    print(f"CPU ratio floor/teams: {floor / pages:.2f} (pages), {floor / search:.2f} (search)")


HOTSPOT_PAGES = ["/hotspots?period=12"]
HOTSPOT_OPENED = [f"/hotspots?period=12&compound={i}" for i in range(1, 11)]


def hotspots(floor_dir: str) -> None:
    """run_hotspots.sh: /hotspots at 1,000,000 cases, 12 months, signed in as 红联北村社区's
    staff and as the admin, with the SQL statements per page."""
    floor = floor_ms(floor_dir)
    sys.path.insert(0, str(ROOT))
    from coordinator import create_app

    app = create_app()
    rows = [("floor /items", floor)]
    counts = {}
    for who, phone in (("staff", "13800000002"), ("admin", "13800000001")):
        client = signed_in(app, phone)
        rows.append((f"hotspots {who} 12 months", cpu_ms(client, HOTSPOT_PAGES, n=100)))
        rows.append((f"hotspots {who} compound open", cpu_ms(client, HOTSPOT_OPENED, n=100)))
        counts[who] = [statements(app, client, url) for url in (*HOTSPOT_PAGES, HOTSPOT_OPENED[0])]
    print("\nCPU ms per request (in-process, median of 3 runs):")
    for name, ms in rows:
        print(f"  {name:<32}{ms:>7.2f}   floor/this {floor / ms:.2f}")
    print(
        "SQL statements per request (12 months, compound open): "
        + "; ".join(f"{who} {a}, {b}" for who, (a, b) in counts.items())
    )


if __name__ == "__main__":
    modes = {"board": board, "events": events, "hotspots": hotspots}
    modes.get(sys.argv[2] if len(sys.argv) > 2 else "", main)(sys.argv[1])
