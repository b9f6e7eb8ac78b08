"""The warning's form: its fields as the Meteorological Service gives them, or its text pasted
(read into the fields by parsing.read for the person to check)."""

from wtforms import DateTimeLocalField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from coordinator.events.forms import LOCAL_FORMAT  # datetime-local's, as the events' form
from coordinator.forms import FlaskForm, options, strip
from coordinator.i18n import lazy_gettext as _l
from coordinator.warnings.models import KINDS, LEVELS
from coordinator.warnings.parsing import CONTROL, MAX_TEXT


def _clean(value):
    """No NUL or other control bytes (PostgreSQL refuses NUL); the length is the validator's."""
    return CONTROL.sub("", value).strip() if isinstance(value, str) else value


class WarningForm(FlaskForm):
    text = TextAreaField(
        _l("The warning's text (paste it to fill the fields)"),
        filters=[_clean],
        validators=[Length(max=MAX_TEXT)],
    )
    kind = SelectField(
        _l("Kind"),
        choices=options([("", _l("— choose —")), *KINDS.items()]),
        validators=[InputRequired(_l("Choose the kind of warning."))],
    )
    level = RadioField(
        _l("Level"),
        choices=options(LEVELS.items()),
        validators=[InputRequired(_l("Choose the level of the warning."))],
    )
    valid_from = DateTimeLocalField(
        _l("Valid from"),
        format=LOCAL_FORMAT,
        validators=[InputRequired(_l("Enter when the warning starts, e.g. 2026-12-02 14:00."))],
    )
    valid_to = DateTimeLocalField(
        _l("Valid to"),
        format=LOCAL_FORMAT,
        validators=[InputRequired(_l("Enter when the warning ends, e.g. 2026-12-03 20:00."))],
    )
    area = StringField(_l("Area"), filters=[strip, _clean], validators=[Length(max=200)])
    issued_at = DateTimeLocalField(_l("Issued at"), format=LOCAL_FORMAT, validators=[Optional()])
