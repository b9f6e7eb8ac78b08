"""The plan form: what, where (targets by attribute), who, and when (a schedule made of simple
choices or an advanced RRULE line; or the weather warnings it answers)."""

from datetime import datetime, time

from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from coordinator.campaigns.forms import TargetFields
from coordinator.cases.models import TIERS
from coordinator.categories import category_choices
from coordinator.converters import parse_int
from coordinator.events.forms import options
from coordinator.forms import FlaskForm, strip
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import to_utc
from coordinator.plans import schedule
from coordinator.plans.models import SCHEDULE, TRIGGERS, WARNING
from coordinator.teams.forms import CheckboxesField
from coordinator.warnings.models import KINDS, LEVELS

MONTHS = [(0, _l("Any month"))] + [(m, str(m)) for m in range(1, 13)]
MAX_LEAD_DAYS = 365
SCHEDULE_FIELDS = (
    "freq",
    "interval",
    "weekdays",
    "month_day",
    "month",
    "starts_on",
    "at_time",
    "advanced",
    "lead_days",
)


def _one_line(value):
    return " ".join(value.split()) if isinstance(value, str) else value


class PlanForm(TargetFields):
    title = StringField(
        _l("Plan name"),
        filters=[_one_line],
        validators=[DataRequired(_l("Give the plan a title.")), Length(max=120)],
    )
    category = SelectField(_l("Category"), choices=options(category_choices()))
    tier = SelectField(_l("Urgency"), choices=options(TIERS.items()), default="general")
    instructions = TextAreaField(
        _l("What to do"), filters=[strip], validators=[Optional(), Length(max=2000)]
    )
    checklist = TextAreaField(
        _l("Checklist (one item a line)"),
        filters=[strip],
        validators=[Optional(), Length(max=2000)],
    )
    team_id = SelectField(_l("Team"), coerce=int, validators=[Optional()])
    community_id = SelectField(_l("Whose plan"), coerce=int, validators=[Optional()])
    # When
    trigger = SelectField(_l("What starts it"), choices=options(TRIGGERS.items()), default=SCHEDULE)
    freq = SelectField(_l("Repeats every"), choices=options(schedule.FREQS.items()))
    interval = IntegerField(
        _l("How many"),
        default=1,
        validators=[
            Optional(),
            NumberRange(1, schedule.MAX_INTERVAL, _l("Enter a number from 1 to 1000.")),
        ],
    )
    weekdays = CheckboxesField(_l("On these weekdays"), choices=options(schedule.WEEKDAYS.items()))
    month_day = IntegerField(
        _l("On this day of the month (-1: the last)"),
        validators=[Optional(), NumberRange(-1, 31, _l("Enter a day from 1 to 31, or -1."))],
    )
    month = SelectField(_l("In this month"), coerce=int, choices=options(MONTHS), default=0)
    starts_on = DateField(_l("First date"), validators=[Optional()])
    # Not a TimeField: the app's strict dates (forms._Strict) take it for a date.
    at_time = StringField(
        _l("At (Beijing time)"),
        default="09:00",
        filters=[strip],
        validators=[
            Optional(),
            Regexp(r"^([01][0-9]|2[0-3]):[0-5][0-9]$", message=_l("Enter a time, e.g. 09:00.")),
        ],
    )
    advanced = StringField(
        _l("Advanced: an RRULE line instead (RFC 5545)"),
        filters=[strip],
        validators=[Optional(), Length(max=400)],
    )
    lead_days = IntegerField(
        _l("Make the work this many days ahead"),
        default=7,
        validators=[
            Optional(),
            NumberRange(0, MAX_LEAD_DAYS, _l("Enter a number of days from 0 to 365.")),
        ],
    )
    warning_kinds = CheckboxesField(_l("Warnings of these kinds"), choices=options(KINDS.items()))
    min_level = SelectField(
        _l("At this level or higher"), choices=options(LEVELS.items()), default="yellow"
    )
    version = HiddenField(filters=[parse_int])
    source_case_id = HiddenField(filters=[parse_int])

    rule_text = ""

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.month_day.data == 0 and not self.month_day.errors:
            self.month_day.errors = [_l("Enter a day from 1 to 31, or -1.")]
            ok = False
        if self.trigger.data == WARNING:
            # The schedule's fields are hidden for a warning plan: what they hold is ignored.
            for name in SCHEDULE_FIELDS:
                self[name].errors = []
            ok = all(not field.errors for field in self)
            if not self.warning_kinds.data and not self.warning_kinds.errors:
                self.warning_kinds.errors = [_l("Choose at least one kind of warning.")]
                ok = False
            return ok
        if self.starts_on.data is None:
            if not self.starts_on.errors:
                self.starts_on.errors = [_l("Enter the first date, e.g. 2026-12-01.")]
            return False
        if self.lead_days.data is None and not self.lead_days.errors:
            self.lead_days.data = 0
        if not ok or self.interval.errors or self.month_day.errors or self.at_time.errors:
            return False
        field = self.advanced if self.advanced.data else self.freq
        text = self.advanced.data or schedule.build(
            self.freq.data,
            self.interval.data or 1,
            self.weekdays.data,
            self.month_day.data,
            self.month.data or None,
        )
        try:
            self.rule_text = schedule.check(text, self.starts_at())
        except schedule.BadRule as bad:
            field.errors = [str(bad)]
            return False
        return True

    def starts_at(self) -> datetime:
        """The first occurrence, typed in Beijing time, in UTC."""
        hour, minute = (int(n) for n in (self.at_time.data or "09:00").split(":"))
        return to_utc(datetime.combine(self.starts_on.data, time(hour, minute)))

    def plan_data(self) -> dict:
        schedule_plan = self.trigger.data == SCHEDULE
        return {
            "title": self.title.data,
            "category": self.category.data,
            "tier": self.tier.data,
            "instructions": self.instructions.data or "",
            "checklist": self.checklist.data or "",
            "team_id": self.team_id.data or None,
            "community_id": self.community_id.data or None,
            "criteria": self.targets().to_json(),
            "trigger": self.trigger.data,
            "rrule": self.rule_text if schedule_plan else "",
            "starts_at": self.starts_at() if schedule_plan else None,
            "lead_days": (self.lead_days.data or 0) if schedule_plan else 0,
            "warning_kinds": "" if schedule_plan else ",".join(self.warning_kinds.data),
            "min_level": self.min_level.data,
            "source_case_id": self.source_case_id.data or None,
        }


class PauseForm(FlaskForm):
    """Pause or resume, on the version the page showed."""

    version = HiddenField(filters=[parse_int])
