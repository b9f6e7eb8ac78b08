"""Sign-ups: a seat in an event's role, or a place on its waitlist; giving it up, the first on
the waitlist moving up, and the reminders of a confirmed place. The URL map is blueprint.py."""
