"""The cases tests' world (a community, its team, its people), and a clean memory of frozen
months for each test."""

import pytest

from coordinator.dashboard import services
from tests.cases.conftest import PATHS, World, english, walk, world  # noqa: F401


@pytest.fixture(autouse=True)
def _forget_frozen(request):
    services.forget_frozen()
    yield
    services.forget_frozen()


@pytest.fixture
def clock(monkeypatch):
    """clock.set(moment): the dashboard's wall clock, in the tests' hands."""

    class Clock:
        def set(self, moment):
            monkeypatch.setattr(services, "clock", lambda: moment)
            services.forget_frozen()

    return Clock()
