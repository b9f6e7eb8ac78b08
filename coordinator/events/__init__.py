"""The event itself: the list, an event's page, planning and editing it with its roles, its
lifecycle (publish, start, finish, cancel) and its calendar feeds. Seats and waitlists are in
coordinator.signups, check-in and hours in coordinator.attendance, volunteers and their service
records in coordinator.volunteers; the tables of all four are in events/models.py.

The URL map is blueprint.py; `bp` is made there, when the app registers the domain, so that
importing the models or services never drags the routes along."""


def init_app(app):
    from flask_babel import format_datetime
    from jinja2 import pass_context

    from coordinator.attendance.hours import hours_figure
    from coordinator.i18n import template_when, to_local

    def clock(dt):
        return format_datetime(dt, "HH:mm") if dt else ""

    @pass_context
    def span(context, start, end):
        """2026年12月8日 09:00–12:00: an event of one day says its date once."""
        if start is None or end is None:
            return template_when(context, start or end)
        if to_local(start).date() == to_local(end).date():
            return f"{template_when(context, start)}–{clock(end)}"
        return f"{template_when(context, start)} – {template_when(context, end)}"

    def local_input(dt):
        """A stored UTC time as the value of an <input type=datetime-local>."""
        return to_local(dt).strftime("%Y-%m-%dT%H:%M") if dt else ""

    app.jinja_env.filters.update(clock=clock, local_input=local_input, span=span)
    app.jinja_env.globals.update(hours_text=hours_figure)


from coordinator.events import models  # noqa: E402,F401  (tables known to migrations)
