"""How services say no: a Refused carries the words for the person and the field they concern.

A route lets a Refused it cannot show in a form go: the app's handler (core/errors.py) answers
with the error page, its status and its reason. A route with a form answers with
`show_refusal(refused, form, page)`, the one way a refusal shows next to a field.
"""

from flask import abort, flash


class Refused(Exception):
    """A rule of the domain said no. Nothing was changed (the service rolled back)."""

    def __init__(self, message, field: str | None = None, status: int = 409):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.status = status


def attach_to_form(form, refused: Refused) -> bool:
    """Put a Refused next to its field; True when the form can show it there."""
    field = getattr(form, refused.field, None) if refused.field else None
    if field is None:
        return False
    field.errors = list(field.errors) + [str(refused.message)]
    return True


def refuse_page(refused: Refused):
    """For a refusal with no form to show it in: the error page, with the reason."""
    abort(refused.status, description=str(refused.message))


def show_refusal(refused: Refused, form, page):
    """How a refusal shows: next to its field when it has one (the page again, what was typed
    kept, with the refusal's status); a 409 without one (someone moved the record first, or the
    page was old) on the page as it is now, the reason (who did it, when) in the flash area;
    anything else, and any refusal to htmx swapping a part, as the error page (htmx shows its
    reason in the flash area). page(status, form) renders the page."""
    from coordinator.extensions import htmx

    if attach_to_form(form, refused):
        return page(refused.status, form)
    if refused.status != 409 or (htmx and not htmx.boosted):
        refuse_page(refused)
    flash(str(refused.message), "error")
    return page(409, form)
