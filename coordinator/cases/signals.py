"""What other domains may follow of a case's life, inside the transaction that changes it.

The dashboard's monthly figures and the hot spots' counts are kept in the same transaction as
the changes that move them (issue 10), yet the cases domain must not know who keeps what.
Each use case that changes what such a figure counts sends one of these blinker signals after
its write; receivers run at once, on the same session and connection, so what they write
commits or rolls back with the case. A receiver must not commit, and what it raises (a
Refused, an IntegrityError) undoes the whole use case.

* case_opened(case, at): a case was logged (any channel), flushed, with its id.
* case_moved(case, action, before, after, at): workflow.transition changed its status.
* callback_added(callback, case, at): the resident's answers were recorded.

`at` is the time of the change as the use case saw it (the demo writes last year's history
with its own clock), not the wall clock.

Team records (records.py) are older than these and are called directly by the same code.
"""

from blinker import Namespace

_signals = Namespace()

case_opened = _signals.signal("case-opened")
case_moved = _signals.signal("case-moved")
callback_added = _signals.signal("callback-added")
