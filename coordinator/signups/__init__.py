"""Sign-ups: a seat in an event's role, or a place on its waitlist; giving it up, the first on
the waitlist moving up, and the reminders of a confirmed place. The URL map is blueprint.py."""


def __getattr__(name):
    if name == "bp":
        from coordinator.signups.blueprint import bp

        return bp
    raise AttributeError(name)
