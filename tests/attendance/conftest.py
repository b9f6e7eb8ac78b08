"""Attendance tests use the events' fixtures: an event to sign up for, a request in English, a
second app, the test's session refreshed after each request (tests/events/conftest.py)."""

from tests.events.conftest import (  # noqa: F401  (fixtures)
    _fresh_after_requests,
    en,
    event_factory,
    other_app,
    world,
)
