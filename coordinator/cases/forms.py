from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from coordinator.cases.models import INTAKE_CHANNELS, LINK_KINDS, SATISFACTION, TIERS
from coordinator.categories import category_choices
from coordinator.converters import parse_int
from coordinator.forms import FlaskForm, Mobile, Phone, normalise_phone, strip
from coordinator.i18n import lazy_gettext as _l

MAX_PHOTOS = 6


def _options(pairs):
    """(value, label) pairs as WTForms 3.3 wants them declared."""
    return [SelectChoice(value=v, label=label) for v, label in pairs]


def parse_join(value: str | None) -> tuple[str, int] | None:
    """'duplicate_of:123' → ('duplicate_of', 123); None for anything else (no join asked)."""
    kind, _sep, number = (value or "").partition(":")
    case_id = parse_int(number)
    return (kind, case_id) if kind and case_id and case_id > 0 else None


def _id(value):
    """Picker values: '' is no choice; anything else must be a number (the service checks it)."""
    if value in (None, "", "None"):
        return None
    number = parse_int(value)  # not int(): '١٢٣' and 99999999999999999999 are no ids
    return -1 if number is None else number


def _description():
    return TextAreaField(
        _l("What is wrong?"),
        filters=[strip],
        validators=[
            DataRequired(_l("Describe the problem in a few words.")),
            Length(max=2000, message=_l("At most 2000 characters.")),
        ],
    )


def _place(form_cls):
    """The place: found by typing the compound or its street (place_query: never saved, it
    only fills the pickers), or picked community → compound → building → entrance; plus floor
    and door."""
    # Not validated: a search box never stops a form from being saved (places/search.py
    # reads at most QUERY_MAX characters of it).
    form_cls.place_query = StringField(_l("Find your compound or street"), filters=[strip])
    form_cls.community_id = SelectField(
        _l("Community"),
        coerce=_id,
        validate_choice=False,
        validators=[DataRequired(_l("Choose a community."))],
    )
    form_cls.compound_id = SelectField(
        _l("Compound"),
        coerce=_id,
        validate_choice=False,
        validators=[DataRequired(_l("Choose a compound."))],
    )
    form_cls.building_id = SelectField(
        _l("Building"), coerce=_id, validate_choice=False, validators=[Optional()]
    )
    form_cls.entrance_id = SelectField(
        _l("Entrance"), coerce=_id, validate_choice=False, validators=[Optional()]
    )
    form_cls.floor = IntegerField(
        _l("Floor"),
        validators=[Optional(), NumberRange(-3, 60, _l("Enter a floor from -3 to 60."))],
    )
    form_cls.household = StringField(
        _l("Door or household"), filters=[strip], validators=[Length(max=40)]
    )
    return form_cls


@_place
class CaseForm(FlaskForm):
    channel = SelectField(_l("How it came in"), choices=_options(list(INTAKE_CHANNELS.items())))
    hotline_ticket = StringField(
        _l("12345 ticket number"), filters=[strip], validators=[Length(max=40)]
    )
    category = SelectField(_l("Category"), choices=_options(category_choices()))
    tier = SelectField(_l("Urgency"), choices=_options(list(TIERS.items())), default="general")
    reporter_name = StringField(_l("Resident's name"), filters=[strip], validators=[Length(max=40)])
    reporter_phone = StringField(
        _l("Resident's phone"), filters=[normalise_phone], validators=[Optional(), Phone()]
    )
    description = _description()
    photos = MultipleFileField(_l("Photos (up to 6)"), render_kw={"data-max": MAX_PHOTOS})
    # One-time key of this form (services.open_case): sent twice, it makes one case.
    submission_key = HiddenField()
    # A similar case's button: "duplicate_of:123" logs the report joined to #123 (services._join).
    join = StringField(_l("Similar cases"), filters=[strip])


@_place
class ReportForm(FlaskForm):
    category = SelectField(_l("What kind of problem?"), choices=_options(category_choices()))
    reporter_name = StringField(
        _l("Your name"),
        filters=[strip],
        validators=[DataRequired(_l("Enter your name.")), Length(max=40)],
    )
    reporter_phone = StringField(
        _l("Your mobile number"),
        filters=[normalise_phone],
        validators=[DataRequired(_l("Enter a mobile number.")), Mobile()],
    )
    description = _description()
    photos = MultipleFileField(_l("Photos (up to 6)"), render_kw={"data-max": MAX_PHOTOS})
    submission_key = HiddenField()  # as CaseForm's
    # An "already reported here" button: the case the resident follows (services._join).
    follows = StringField(_l("Already reported here"), filters=[strip])
    # A field people never see; bots fill it in.
    website = StringField(_l("Leave this empty"))


def _new_key() -> str:
    from coordinator.cases.services import submission_key

    return submission_key()


class OnceKey:
    """The job page's forms carry a one-time key (services.act, add_visit, finish): sent twice
    (a double tap, or a phone sending what it kept offline), the step is taken once. The page
    renders one; the offline script (static/js/offline.js) makes a new one for each filling."""

    submission_key = HiddenField(default=_new_key)


class NoteForm(OnceKey, FlaskForm):
    note = TextAreaField(
        _l("Note"),
        filters=[strip],
        validators=[Length(max=2000, message=_l("At most 2000 characters."))],
    )


class DispatchForm(FlaskForm):
    team_id = SelectField(
        _l("Team"),
        coerce=_id,
        validate_choice=False,
        validators=[DataRequired(_l("Choose a team."))],
    )
    note = TextAreaField(_l("Note for the team"), filters=[strip], validators=[Length(max=2000)])


class AssignForm(FlaskForm):
    member_id = SelectField(
        _l("Give the job to"),
        coerce=_id,
        validate_choice=False,  # the service checks the member is of the case's team
        validators=[DataRequired(_l("Choose a member of your team."))],
    )
    # The case's version the lead's page showed (services.assign): an old page loses.
    seen = HiddenField()


class ReassignForm(DispatchForm):
    team_id = SelectField(
        _l("Reassign to"),
        coerce=_id,
        validate_choice=False,
        validators=[DataRequired(_l("Choose a team."))],
    )


class RecallForm(FlaskForm):
    note = TextAreaField(
        _l("Why is it recalled?"),
        filters=[strip],
        validators=[
            DataRequired(_l("Say why, in a few words.")),
            Length(max=2000, message=_l("At most 2000 characters.")),
        ],
    )


class VisitForm(OnceKey, FlaskForm):
    found = TextAreaField(
        _l("What did you find and do?"),
        filters=[strip],
        validators=[
            DataRequired(_l("Write what you found.")),
            Length(max=2000, message=_l("At most 2000 characters.")),
        ],
    )
    another_needed = BooleanField(_l("Needs another visit"))
    photos = MultipleFileField(_l("Photos (up to 6)"), render_kw={"data-max": MAX_PHOTOS})


class DoneForm(OnceKey, FlaskForm):
    note = TextAreaField(
        _l("What was done"),
        filters=[strip],
        validators=[Length(max=2000, message=_l("At most 2000 characters."))],
    )
    root_cause = TextAreaField(
        _l("Root cause"),
        filters=[strip],
        validators=[
            DataRequired(_l("Write down the cause, so the next one can be prevented.")),
            Length(max=1000, message=_l("At most 1000 characters.")),
        ],
    )
    follow_up = TextAreaField(
        _l("Follow-up to prevent it"),
        filters=[strip],
        validators=[Length(max=1000, message=_l("At most 1000 characters."))],
    )
    after_photo = FileField(_l("“After” photo"))


class CallbackForm(FlaskForm):
    contacted = RadioField(
        _l("Were you contacted?"),
        choices=_options([("yes", _l("Yes")), ("no", _l("No"))]),
        validators=[InputRequired(_l("Choose yes or no."))],
    )
    solved = RadioField(
        _l("Is it solved?"),
        choices=_options([("yes", _l("Yes")), ("no", _l("No"))]),
        validators=[InputRequired(_l("Choose yes or no."))],
    )
    satisfaction = RadioField(
        _l("How satisfied are you?"),
        choices=_options(list(SATISFACTION.items())),
        validators=[InputRequired(_l("Choose one."))],
    )
    note = TextAreaField(
        _l("Anything else?"),
        filters=[strip],
        validators=[Length(max=1000, message=_l("At most 1000 characters."))],
    )


class LinkForm(FlaskForm):
    other_id = IntegerField(
        _l("Other case number"),
        validators=[
            InputRequired(_l("Enter the other case's number.")),
            NumberRange(1, message=_l("Enter the other case's number.")),
        ],
    )
    kind = SelectField(_l("How they are linked"), choices=_options(list(LINK_KINDS.items())))


class NoticeForm(FlaskForm):
    entrance_id = SelectField(
        _l("Entrance"), coerce=_id, validate_choice=False, validators=[Optional()]
    )
    floors = StringField(
        _l("Floors"),
        filters=[strip],
        validators=[Length(max=40)],
        description=_l("e.g. 2-6; empty means every floor"),
    )
    extra = TextAreaField(
        _l("What residents should do"),
        filters=[strip],
        validators=[Length(max=500, message=_l("At most 500 characters."))],
    )


class SendLinkForm(FlaskForm):
    phone = StringField(
        _l("Send to mobile"),
        filters=[normalise_phone],
        validators=[DataRequired(_l("Enter a mobile number.")), Mobile()],
    )
    # The case's version the page showed (services.send_job_link): a double tap texts once.
    seen = HiddenField()
