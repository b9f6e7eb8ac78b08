"""How services say no: a Refused carries the words for the person and the field they concern."""

from flask import abort


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
