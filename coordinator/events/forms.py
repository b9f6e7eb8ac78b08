"""Forms of the event itself: the event with its roles, and its cancellation."""

from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from coordinator.converters import parse_int
from coordinator.events.models import KINDS
from coordinator.forms import FlaskForm, strip
from coordinator.i18n import lazy_gettext as _l

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def options(pairs) -> list[SelectChoice]:
    """Declared choices as SelectChoice (tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


def _one_line(value):
    """A title is one line: line breaks (a pasted text, a crafted post) become spaces."""
    return " ".join(value.split()) if isinstance(value, str) else value


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
    # Bike drives: the people in this role may register bikes while the drive runs.
    registers_bikes = BooleanField(_l("Registers bikes"))

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
    bring = StringField(_l("What to bring"), filters=[strip], validators=[Length(max=200)])
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
