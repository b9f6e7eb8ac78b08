"""CPU milliseconds per request, in-process, for the floor page and the signed-in team list.

wrk's requests/s move with whatever else the machine is doing; CPU time per request moves much
less, and floor/ours of it is what the req/s ratio tends to when both servers are CPU-bound.
Usage (run.sh calls it): DATABASE_URL=... python bench/cpu_ratio.py FLOOR_DIR
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


def main(floor_dir: str) -> None:
    sys.path.insert(0, floor_dir)
    from app import create_app as floor_app  # the floor's app.py

    floor = cpu_ms(floor_app().test_client(),
                   [f"/items?cat={i % 10}&page={i % 20 + 1}" for i in range(40)])

    sys.path.insert(0, str(ROOT))
    from coordinator import create_app

    client = create_app().test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/login").get_data(as_text=True)).group(1)
    signed_in = client.post("/login", data={"csrf_token": token, "phone": "13800000001",
                                            "password": "demo1234"})
    assert signed_in.status_code == 302, signed_in.status_code
    pages = cpu_ms(client, [f"/teams/?page={i % 20 + 1}" for i in range(20)])
    search = cpu_ms(client, ["/teams/?q=%E5%B8%88%E5%82%85", "/teams/?q=138",
                             "/teams/?skill=drain&page=2"], n=60)
    fragment = cpu_ms(client, [f"/teams/?page={i % 20 + 1}" for i in range(20)],
                      headers={"HX-Request": "true", "HX-Target": "results"})
    bare = cpu_ms(client, ["/healthz"])
    print(f"\nCPU ms per request (in-process, median of 3 x {N}):")
    for name, ms in (("floor /items", floor), ("teams pages 1..20", pages),
                     ("teams search/skill", search), ("teams htmx fragment", fragment),
                     ("/healthz signed in", bare)):
        print(f"  {name:<22}{ms:>7.2f}")
    print(f"CPU ratio floor/teams: {floor / pages:.2f} (pages), {floor / search:.2f} (search)")


if __name__ == "__main__":
    main(sys.argv[1])
