"""Shared pages are made of what the installed domains offer (coordinator/plugins.py)."""

import re
from pathlib import Path

import pytest

from coordinator import create_app, plugins
from coordinator.config import TestConfig

ROOT = Path(__file__).resolve().parents[2]


def test_the_nav_comes_in_the_order_of_the_offers(app):
    with app.app_context():
        endpoints = [entry.endpoint for entry in plugins.nav_entries()]
    assert endpoints[:4] == ["core.home", "cases.board", "cases.my_jobs", "events.index"]
    assert endpoints[-1] == "notifications.outbox"
    # + dashboard, hot spots, Open311 keys, campaigns, plans, warnings, patrols, my reports
    assert len(endpoints) == len(set(endpoints)) == 19


def test_a_team_page_shows_the_record_cases_offer(app):
    with app.app_context():
        [section] = plugins.team_records(team_id=0)
    assert section["template"] == "cases/_team_record.html"
    assert section["record"]["done"] == 0 and section["record"]["satisfaction"] is None


DOMAINS = "cases|events|teams|bikes|auth|places|notifications|uploads|exports"


def imports(paths, pattern) -> list[str]:
    found = []
    for path in paths:
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(pattern, line):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    return found


def test_core_and_ui_import_no_domain_and_teams_not_cases():
    core = [*(ROOT / "coordinator" / "core").glob("*.py"), ROOT / "coordinator" / "ui.py"]
    assert imports(core, rf"from coordinator\.({DOMAINS})\b") == []
    assert imports((ROOT / "coordinator" / "teams").glob("*.py"), r"coordinator\.cases") == []


def test_an_app_cannot_choose_another_zone():
    with pytest.raises(ValueError, match="BABEL_DEFAULT_TIMEZONE"):
        create_app({**vars_of(TestConfig), "BABEL_DEFAULT_TIMEZONE": "Europe/Berlin"})


def vars_of(config) -> dict:
    return {k: getattr(config, k) for k in dir(config) if k.isupper()}


def bar_of(html: str) -> tuple[list[str], list[str], list[str], list[str]]:
    """The hrefs of the bottom bar: (in the bar, in the bar on a wide screen only, behind its
    "more", behind "more" on a phone only)."""
    nav = html.split('class="bottombar', 1)[1].split("</nav>", 1)[0]
    bar, _sep, more = nav.partition('<details class="nav-more')
    main = re.findall(r'<a href="([^"]+)"', bar)
    wide = re.findall(r'<a class="wide-only" href="([^"]+)"', bar)
    behind = re.findall(r'href="([^"]+)"', more)
    narrow = re.findall(r'<a class="narrow-only" href="([^"]+)"', more)
    return main, wide, behind, narrow


@pytest.mark.parametrize("role", ["admin", "staff", "lead", "worker", "volunteer", "resident"])
def test_the_bar_holds_five_at_most_and_more_opens_the_rest(client, auth, make, role):
    """Five items fit a 390 px phone (issue 12: a sixth cut off 辖区): a role with more places
    has four in the bar and "more" with every other one; nothing is left out. A wide screen
    shows every place meant for the bar in it, and only the others behind "more"."""
    user = make.user(role)
    make.commit()
    auth.login(user)
    html = client.get("/home").get_data(as_text=True)
    main, wide, more, narrow = bar_of(html)
    with client.application.test_request_context():
        everything = [
            entry.endpoint
            for entry in plugins.nav_entries()
            if role in entry.roles and entry.endpoint in client.application.view_functions
        ]
    # A phone: the bar and "more".
    assert len(main) + (1 if more else 0) <= 5
    assert len(main) + len(more) == len(everything)
    # A wide screen: the bar, its wide-only places, and "more" without them; each once.
    assert wide == narrow and set(wide) <= set(more)
    on_wide = main + wide + [href for href in more if href not in narrow]
    assert sorted(on_wide) == sorted(set(on_wide)) and len(on_wide) == len(everything)
    if role in ("admin", "staff"):
        assert "/places/" in main + more
        assert "/places/" in main + wide  # a desk's screen has 辖区 in its bar
    if more:
        assert len(main) == 4 and "<summary" in html.split('<details class="nav-more', 1)[1]
