# The cases tests' rows (a place, a team, people) serve the photo-form tests, and their
# messages are asserted in English the same way: their fixtures, not copies of them.
from tests.cases.conftest import english, world  # noqa: F401
