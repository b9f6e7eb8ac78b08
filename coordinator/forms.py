"""Form pieces every domain uses: phone validation, the button-only form."""

import re
from datetime import date, datetime

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from coordinator.i18n import lazy_gettext as _l

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def normalise_phone(value: str | None) -> str:
    """People type spaces, dashes and +86; keep the digits that matter."""
    if not value:
        return ""
    digits = re.sub(r"[\s\-()]", "", value.strip())
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits


class Mobile:
    """An 11-digit mainland mobile number (138 0013 8000)."""

    def __init__(self, message=None):
        self.message = message or _l("Enter an 11-digit mobile number, e.g. 13800138000.")

    def __call__(self, form, field):
        if field.data and not MOBILE.match(normalise_phone(field.data)):
            raise ValidationError(self.message)


class Phone:
    """A mobile number or a landline with area code (010-62000000)."""

    def __call__(self, form, field):
        value = normalise_phone(field.data)
        if value and not (MOBILE.match(value) or LANDLINE.match(value)):
            raise ValidationError(
                _l("Enter a mobile number (13800138000) or a landline (010-62000000).")
            )


class ButtonForm(FlaskForm):
    """A form with nothing but its CSRF token, for one-button actions."""


class SearchForm(FlaskForm):
    """GET forms read request.args and need no CSRF token."""

    class Meta:
        csrf = False


def options(pairs) -> list[SelectChoice]:
    """Choices for a SelectField declaration (tuples there are deprecated in WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


def date_arg(values: list[str]) -> date | None:
    """A YYYY-MM-DD filter from the query string (request.args.getlist): a date, or None for
    none or one that is not a date (a list filter ignores it, never an error page)."""
    try:
        return datetime.strptime(" ".join(values), "%Y-%m-%d").date() if values else None
    except ValueError:
        return None
