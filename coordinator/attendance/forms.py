"""Forms of attendance: a forgotten check-out's time, a correction of hours, check-in by SMS,
a walk-in added at the event."""

from wtforms import (
    DateTimeLocalField,
    DecimalField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, StopValidation

from coordinator.events.forms import LOCAL_FORMAT
from coordinator.forms import FlaskForm, Mobile, normalise_phone, strip
from coordinator.i18n import lazy_gettext as _l


class Finite:
    """A decimal that is a number: "NaN", "sNaN" and "Infinity" parse as Decimals, and a
    signalling NaN even breaks NumberRange's comparison. Stops the chain with the message of
    the range that follows it."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data is not None and not field.data.is_finite():
            raise StopValidation(self.message)


class CheckoutForm(FlaskForm):
    check_out = DateTimeLocalField(
        _l("Left at"),
        format=LOCAL_FORMAT,
        validators=[InputRequired(_l("Enter when this person left."))],
    )


class CorrectionForm(FlaskForm):
    hours = DecimalField(
        _l("Hours served"),
        places=2,
        validators=[
            InputRequired(_l("Enter the hours, e.g. 2.5.")),
            Finite(_l("Enter hours from 0.25 to 24.")),
            NumberRange(0.25, 24, _l("Enter hours from 0.25 to 24.")),
        ],
    )
    reason = TextAreaField(
        _l("What should be corrected, and why"),
        filters=[strip],
        validators=[DataRequired(_l("Say what should be corrected and why.")), Length(max=500)],
    )


class PhoneForm(FlaskForm):
    phone = StringField(
        _l("Mobile number"),
        filters=[normalise_phone],
        validators=[DataRequired(_l("Enter a mobile number.")), Mobile()],
    )


class CodeForm(FlaskForm):
    phone = HiddenField(filters=[normalise_phone])
    code = StringField(
        _l("Code from the SMS"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter the six-digit code.")),
            Length(min=6, max=6, message=_l("Six digits.")),
        ],
    )


class WalkInForm(PhoneForm):
    """Someone who came without signing up: a name, a mobile number and the role they help in."""

    name = StringField(
        _l("Name"), filters=[strip], validators=[DataRequired(_l("Enter a name.")), Length(max=40)]
    )
    role_id = SelectField(
        _l("Event role"), coerce=int, validators=[DataRequired(_l("Choose a role."))]
    )
