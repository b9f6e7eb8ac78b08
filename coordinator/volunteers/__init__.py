"""Volunteers: joining as one, a volunteer's own events and hours, and the service records of
the office with their files. The URL map is blueprint.py."""


def __getattr__(name):
    if name == "bp":
        from coordinator.volunteers.blueprint import bp

        return bp
    raise AttributeError(name)
