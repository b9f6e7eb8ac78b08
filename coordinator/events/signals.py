"""What other domains may follow of an event's life, inside the transaction that changes it.

* event_moved(event, before, after, at, actor): _change_status moved the event (published,
  under way, done, cancelled), flushed on its version. Receivers run on the same session: what
  they write commits or rolls back with the event (campaigns close, linked cases are settled);
  what they raise undoes the step. A receiver must not commit.
"""

from blinker import Namespace

_signals = Namespace()

event_moved = _signals.signal("event-moved")
