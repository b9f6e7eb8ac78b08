"""The campaigns' forms: "make this a campaign" (what to do, the targets, the kind of work) and
the one-tap found / not found of a compound."""

from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from coordinator.campaigns.models import WORK_KINDS
from coordinator.campaigns.targets import Targets
from coordinator.cases.models import TIERS
from coordinator.categories import category_choices
from coordinator.forms import FlaskForm, strip
from coordinator.i18n import lazy_gettext as _l
from coordinator.places.models import KIND_LABELS
from coordinator.teams.forms import CheckboxesField

EITHER = [("", _l("Either")), ("yes", _l("Yes")), ("no", _l("No"))]
FLAGS = {"": None, "yes": True, "no": False}


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _year(label):
    return IntegerField(
        label,
        validators=[
            Optional(),
            NumberRange(1900, 2100, message=_l("A year from 1900 to 2100.")),
        ],
    )


class TargetFields(FlaskForm):
    """The target compounds' attributes (targets.Targets) as form fields, one set for every form
    that chooses compounds by what they share (a campaign, a plan)."""

    old = BooleanField(_l("Old compounds (built before 2000)"))
    built_from = _year(_l("Built from (year)"))
    built_to = _year(_l("Built up to (year)"))
    bike_shed = SelectField(_l("Bike shed"), choices=_choices(EITHER), default="")
    many_trees = SelectField(_l("Many trees"), choices=_choices(EITHER), default="")
    min_buildings = IntegerField(
        _l("At least this many buildings"),
        validators=[Optional(), NumberRange(1, 9999, message=_l("A number from 1 to 9999."))],
    )
    communities = CheckboxesField(_l("Communities"), coerce=int)
    kinds = CheckboxesField(_l("Kinds of place"), choices=_choices(KIND_LABELS.items()))

    def targets(self) -> Targets:
        def number(field):
            return field.data if not field.errors and isinstance(field.data, int) else None

        return Targets(
            old=bool(self.old.data),
            built_from=number(self.built_from),
            built_to=number(self.built_to),
            bike_shed=FLAGS.get(self.bike_shed.data),
            many_trees=FLAGS.get(self.many_trees.data),
            min_buildings=number(self.min_buildings),
            communities=tuple(
                sorted({c for c in self.communities.data or () if isinstance(c, int)})
            ),
            kinds=tuple(sorted({k for k in self.kinds.data or () if k in KIND_LABELS})),
        )

    def fill_targets(self, targets: Targets) -> None:
        self.old.data = targets.old
        self.built_from.data = targets.built_from
        self.built_to.data = targets.built_to
        self.bike_shed.data = {True: "yes", False: "no"}.get(targets.bike_shed, "")
        self.many_trees.data = {True: "yes", False: "no"}.get(targets.many_trees, "")
        self.min_buildings.data = targets.min_buildings
        self.communities.data = list(targets.communities)
        self.kinds.data = list(targets.kinds)


class CampaignForm(TargetFields):
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[DataRequired(_l("Give the campaign a title.")), Length(max=120)],
    )
    category = SelectField(_l("Category"), choices=_choices(category_choices()))
    instructions = TextAreaField(_l("What to do"), filters=[strip], validators=[Length(max=2000)])
    checklist = TextAreaField(
        _l("Checklist (one item a line)"), filters=[strip], validators=[Length(max=2000)]
    )
    # The kind of work each compound gets.
    work_kind = RadioField(
        _l("Each compound gets"), choices=_choices(WORK_KINDS.items()), default="case"
    )
    team_id = SelectField(_l("Team"), coerce=str, default="")
    tier = SelectField(_l("Urgency"), choices=_choices(TIERS.items()), default="general")
    deadline = DateField(_l("Deadline (optional)"), validators=[Optional()])
    event_day = DateField(_l("Day of the drives"), validators=[Optional()])
    notice_days = IntegerField(
        _l("Notice goes up this many days before"),
        default=7,
        validators=[Optional(), NumberRange(0, 60, message=_l("A number from 0 to 60."))],
    )
    # A drive's copies: their name after the compound's ("文慧园路" + "废弃自行车集中清理") and
    # where people meet at each compound ("车棚门口"), the source's own words without its place.
    copy_name = StringField(
        _l("Name of each copy, after the compound's name"),
        filters=[strip],
        validators=[Length(max=100)],
    )
    copy_meeting_place = StringField(
        _l("Meeting place at each compound"), filters=[strip], validators=[Length(max=150)]
    )
    submission_key = HiddenField()
    # The source drive's version when the form was drawn: a launch from a page older than the
    # drive's last change (another tab launched it first) is refused, however late it comes.
    drive_seen = HiddenField()


class FoundForm(FlaskForm):
    seen = HiddenField()
    found = HiddenField()


class LinkEventForm(FlaskForm):
    event_id = SelectField(_l("Handled by the event"), coerce=str)
