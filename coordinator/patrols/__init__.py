"""Grid patrols (网格巡查): a grid worker's daily round of the grid's compounds on a phone.

checklist.py is the checklist as data (item → label, case category, places it belongs to);
models.py the patrol, its visits and checks; services.py arriving, checking and leaving (a
problem found becomes a case, with its photo, in the same unit of work as its check);
queries.py today's round, the log and the week's coverage.
"""

from coordinator.patrols import models  # noqa: E402,F401  (tables known to migrations)
