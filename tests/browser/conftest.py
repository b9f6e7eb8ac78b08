"""A real browser against a live server: Debian's Chromium through pytest-playwright.

The live server serves its own app with CSRF switched ON (the session `app` has it off), on the
same database as the session `app`, so the autouse wipe in tests/conftest.py cleans up after each
test. The demo story is loaded per test by the `story` fixture.
"""

import socket
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from coordinator import create_app
from coordinator.demo import story as demo_story
from coordinator.extensions import db
from tests.conftest import settings
from tests.live import whole_bodies

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "zh-CN"}
SHOTS = Path(__file__).parent / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_app(app, database_url, tmp_path_factory):
    """The same database as `app`, but with CSRF on, as in production."""
    return create_app(
        settings(database_url, str(tmp_path_factory.mktemp("live-uploads")), WTF_CSRF_ENABLED=True)
    )


@pytest.fixture(scope="session")
def live_server(live_app):
    server = make_server("127.0.0.1", _free_port(), whole_bodies(live_app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()
    with live_app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, **PHONE}


@pytest.fixture
def story(app):
    """The demo story in the database for this test (the autouse wipe removes it after)."""
    demo_story.load()
    db.session.commit()
    db.session.remove()
    return demo_story


@pytest.fixture
def shot():
    """shot(page, "name"): name.png is the screen as seen (fixed bars where they sit),
    name-full.png the whole page; with bottom=True also name-bottom.png, scrolled to the end,
    which shows whether the bottom bar covers the last of the content."""
    SHOTS.mkdir(exist_ok=True)

    def take(page, name: str, bottom: bool = False) -> Path:
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path))
        page.screenshot(path=str(SHOTS / f"{name}-full.png"), full_page=True)
        if bottom:
            page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            page.screenshot(path=str(SHOTS / f"{name}-bottom.png"))
            page.evaluate("window.scrollTo(0, 0)")
        assert path.stat().st_size > 0
        return path

    return take


def sign_in(page, phone: str, password: str = demo_story.DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.fill("input[name=phone]", phone)
    page.fill("input[name=password]", password)
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_url("**/home")


# What a thumb must be able to hit: every control, and links drawn as buttons or in bars.
# Links inside running text are exempt (WCAG 2.5.8's inline exception).
_TARGETS = (
    "button, input:not([type=hidden]), select, textarea, summary, a.button, nav a, "
    ".bottombar a, .tabs a, .chips a, .pager a"
)

_SMALL_TARGETS_JS = """([selector, minimum]) => {
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") continue;
    if (el.closest("[aria-hidden=true]")) continue;           // honeypots, Enter's default button
    let box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;       // not drawn (closed <details>)
    // A check box or radio counts by its label: the label is what the thumb hits.
    if (el.matches("input[type=checkbox], input[type=radio]")) {
      const label = el.closest("label")
        || (el.id && document.querySelector(`label[for="${el.id}"]`));
      if (label) box = label.getBoundingClientRect();
    }
    // A file input drawn invisibly inside its label counts by the label too.
    if (el.matches("input[type=file]") && el.closest("label")) {
      box = el.closest("label").getBoundingClientRect();
    }
    if (box.height < minimum || box.width < minimum) {
      const name = el.name ? "[name=" + el.name + "]" : "";
      const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim();
      small.push(`${el.tagName.toLowerCase()}${name} "${text.slice(0, 30)}"` +
                 ` ${Math.round(box.width)}×${Math.round(box.height)}`);
    }
  }
  return small;
}"""


def small_targets(page, minimum: int = 44) -> list[str]:
    """The visible tap targets on the page smaller than minimum × minimum CSS px, described."""
    return page.evaluate(_SMALL_TARGETS_JS, [_TARGETS, minimum])


def assert_fits_phone(page, minimum: int = 44) -> None:
    """No sideways scroll, and every tap target at least minimum px each way (issue 12)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways: {width}px"
    small = small_targets(page, minimum)
    assert not small, f"{page.url}: tap targets under {minimum}px: {small}"
