from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from coordinator.forms import FlaskForm, Phone, normalise_phone, options, strip
from coordinator.i18n import lazy_gettext as _l
from coordinator.places.models import KIND_LABELS
from coordinator.teams.forms import CheckboxesField


class CommunityForm(FlaskForm):
    name = StringField(
        _l("Name"), filters=[strip], validators=[DataRequired(_l("Enter a name.")), Length(max=60)]
    )
    office_phone = StringField(
        _l("Office phone"), filters=[normalise_phone], validators=[Optional(), Phone()]
    )
    address = StringField(_l("Address"), filters=[strip], validators=[Length(max=200)])


class CompoundForm(FlaskForm):
    community_id = SelectField(
        _l("Community"), coerce=int, validators=[DataRequired(_l("Choose a community."))]
    )
    name = StringField(
        _l("Name"), filters=[strip], validators=[DataRequired(_l("Enter a name.")), Length(max=80)]
    )
    kind = SelectField(
        _l("Kind"),
        choices=options(list(KIND_LABELS.items())),
    )
    address = StringField(_l("Address"), filters=[strip], validators=[Length(max=200)])
    year_built = IntegerField(
        _l("Year built"),
        validators=[Optional(), NumberRange(1900, 2100, _l("Enter a year between 1900 and 2100."))],
    )
    building_count = IntegerField(
        _l("Number of buildings"),
        default=0,
        validators=[Optional(), NumberRange(0, 500, _l("Enter a number from 0 to 500."))],
    )
    has_bike_shed = BooleanField(_l("Has a bike shed"))
    many_trees = BooleanField(_l("Many trees"))


class BuildingForm(FlaskForm):
    name = StringField(
        _l("Building"),
        filters=[strip],
        validators=[DataRequired(_l("Enter a building name, e.g. 3号楼.")), Length(max=40)],
    )
    floors = IntegerField(
        _l("Number of floors"),
        default=6,
        validators=[
            InputRequired(_l("Enter the number of floors.")),
            NumberRange(1, 100, _l("Enter a number from 1 to 100.")),
        ],
    )
    entrances = IntegerField(
        _l("Entrances (units)"),
        default=1,
        validators=[
            InputRequired(_l("Enter the number of entrances.")),
            NumberRange(1, 20, _l("Enter a number from 1 to 20.")),
        ],
    )


class GridForm(FlaskForm):
    name = StringField(
        _l("Grid"),
        filters=[strip],
        validators=[DataRequired(_l("Enter a grid name.")), Length(max=60)],
    )
    worker_id = SelectField(_l("Grid worker"), coerce=int, validators=[Optional()])
    compound_ids = CheckboxesField(_l("Compounds of the grid"), coerce=int)


class GridCompoundsForm(FlaskForm):
    """The compounds a grid covers, changed on its community's page."""

    compound_ids = CheckboxesField(_l("Compounds of the grid"), coerce=int)
