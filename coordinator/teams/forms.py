from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from coordinator.categories import category_choices
from coordinator.forms import FlaskForm, Mobile, Phone, normalise_phone, options, strip
from coordinator.i18n import lazy_gettext as _l
from coordinator.teams.models import KINDS


class CheckboxesField(SelectMultipleField):
    """Check boxes; a value not offered (a forged one) is refused in the reader's words."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        offered = {str(c[0]) if isinstance(c, tuple) else str(c.value) for c in self.choices or ()}
        if any(str(v) not in offered for v in self.data or ()):
            raise ValidationError(_l("Choose from the list."))


class CoverageForm(FlaskForm):
    """A shared team's form for community staff: their community's part of its area only."""

    communities = CheckboxesField(_l("Communities covered"), coerce=int)
    compounds = SelectMultipleField(_l("Compounds covered"), coerce=int)


class TeamForm(FlaskForm):
    name = StringField(
        _l("Team name"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter the team's name.")),
            Length(max=80, message=_l("At most 80 characters.")),
        ],
    )
    kind = SelectField(_l("Kind"), choices=options(KINDS.items()))
    phone = StringField(
        _l("Duty phone"), filters=[normalise_phone], validators=[Optional(), Phone()]
    )
    capacity = IntegerField(
        _l("Jobs at once"),
        default=3,
        validators=[
            InputRequired(_l("Enter how many jobs the team can take at once.")),
            NumberRange(1, 500, _l("Enter a number from 1 to 500.")),
        ],
    )
    skills = CheckboxesField(
        _l("Skills"),
        choices=options(category_choices()),
        validators=[DataRequired(_l("Choose at least one skill."))],
    )
    communities = CheckboxesField(_l("Communities covered"), coerce=int)
    compounds = SelectMultipleField(_l("Compounds covered"), coerce=int)
    description = TextAreaField(
        _l("Notes"),
        filters=[strip],
        validators=[Length(max=2000, message=_l("At most 2000 characters."))],
    )
    active = BooleanField(_l("Taking work"), default=True)


class MemberForm(FlaskForm):
    name = StringField(
        _l("Name"), filters=[strip], validators=[DataRequired(_l("Enter a name.")), Length(max=40)]
    )
    phone = StringField(
        _l("Mobile number"),
        filters=[normalise_phone],
        validators=[DataRequired(_l("Enter a mobile number.")), Mobile()],
    )
    is_lead = BooleanField(_l("Team lead"))
