"""The cases' world (a place, teams, people) for the exports' tests."""

from tests.cases.conftest import world  # noqa: F401
