from wtforms import (
    DateField,
    DateTimeLocalField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
)

from coordinator.converters import parse_int
from coordinator.events.models import ID_TYPES, KINDS
from coordinator.forms import FlaskForm, Mobile, SearchForm, normalise_phone, strip
from coordinator.i18n import lazy_gettext as _l

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def options(pairs) -> list[SelectChoice]:
    """Declared choices as SelectChoice (tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


def _one_line(value):
    """A title is one line: line breaks (a pasted text, a crafted post) become spaces."""
    return " ".join(value.split()) if isinstance(value, str) else value


class Finite:
    """A decimal that is a number: "NaN", "sNaN" and "Infinity" parse as Decimals, and a
    signalling NaN even breaks NumberRange's comparison. Stops the chain with the message of
    the range that follows it."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data is not None and not field.data.is_finite():
            raise StopValidation(self.message)


def _int_or_none(value):
    return parse_int(value)  # not int(): '١٢٣' and 99999999999999999999 are no ids


class RoleRow(Form):
    """One role as a repeated row: name and how many people (a blank row is ignored)."""

    id = HiddenField(filters=[_int_or_none])
    name = StringField(_l("Event role"), filters=[strip], validators=[Optional(), Length(max=60)])
    capacity = IntegerField(
        _l("How many people"),
        validators=[Optional(), NumberRange(1, 1000, _l("Enter a number from 1 to 1000."))],
    )

    def validate(self, extra_validators=None):
        # Optional() ends the capacity's own chain on a blank, so the pair is checked here.
        ok = super().validate(extra_validators)
        if self.name.data and self.capacity.data is None and not self.capacity.errors:
            self.capacity.errors = [_l("How many people for this role?")]
            ok = False
        if self.capacity.data and not self.name.data:
            self.name.errors = [_l("Name the role, e.g. carrying.")]
            ok = False
        return ok


class EventForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=options(KINDS.items()))
    title = StringField(
        _l("Title"),
        filters=[_one_line],
        validators=[DataRequired(_l("Give the event a title.")), Length(max=120)],
    )
    community_id = SelectField(
        _l("Community"), coerce=int, validators=[DataRequired(_l("Choose a community."))]
    )
    compound_id = SelectField(_l("Compound"), coerce=int, validators=[Optional()])
    starts_at = DateTimeLocalField(
        _l("Starts"),
        format=LOCAL_FORMAT,
        validators=[InputRequired(_l("Enter the start, e.g. 2026-11-28 09:00."))],
    )
    ends_at = DateTimeLocalField(
        _l("Ends"),
        format=LOCAL_FORMAT,
        validators=[InputRequired(_l("Enter the end, e.g. 2026-11-28 12:00."))],
    )
    meeting_place = StringField(_l("Meeting place"), filters=[strip], validators=[Length(max=200)])
    organiser_id = SelectField(
        _l("Organiser"), coerce=int, validators=[DataRequired(_l("Choose the organiser."))]
    )
    description = TextAreaField(
        _l("What we will do"), filters=[strip], validators=[Length(max=4000)]
    )
    notice_date = DateField(_l("Notice posted on"), validators=[Optional()])
    claim_days = IntegerField(
        _l("Claim period (days)"),
        validators=[Optional(), NumberRange(1, 90, _l("Enter a number from 1 to 90."))],
    )
    roles = FieldList(FormField(RoleRow), label=_l("Roles"), min_entries=1)


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is it cancelled?"),
        filters=[strip],
        validators=[
            DataRequired(_l("Say why the event is cancelled; everyone signed up will read it.")),
            Length(max=500),
        ],
    )


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


class JoinForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        filters=[strip],
        validators=[DataRequired(_l("Enter your name.")), Length(max=40)],
    )
    phone = StringField(
        _l("Mobile number"),
        filters=[normalise_phone],
        validators=[DataRequired(_l("Enter a mobile number.")), Mobile()],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Choose a password.")),
            Length(min=8, max=128, message=_l("At least 8 characters.")),
        ],
    )
    confirm = PasswordField(
        _l("Password again"), validators=[EqualTo("password", _l("The two passwords differ."))]
    )
    community_id = SelectField(_l("Your community"), coerce=int, validators=[Optional()])
    skills = StringField(
        _l("What you are good at"),
        filters=[strip],
        validators=[Length(max=200)],
        description=_l("e.g. first aid, carrying, photography"),
    )
    availability = TextAreaField(
        _l("When you can help"),
        filters=[strip],
        validators=[Length(max=500)],
        description=_l("e.g. weekend mornings"),
    )
    id_type = SelectField(
        _l("ID type (optional)"),
        choices=options([("", _l("— not given —"))] + list(ID_TYPES.items())),
        validators=[Optional()],
    )
    id_number = StringField(
        _l("ID number (optional)"), filters=[strip], validators=[Optional(), Length(max=40)]
    )
    volunteer_number = StringField(
        _l("Volunteer number (optional)"),
        filters=[strip],
        validators=[Optional(), Length(max=40)],
        description=_l("From 志愿北京, if you have one."),
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


class RecordsForm(SearchForm):
    community = SelectField(_l("Community"), coerce=int, validators=[Optional()])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
