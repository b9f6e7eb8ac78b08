from flask_wtf.file import FileField
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from coordinator.bikes.models import RECEIVERS
from coordinator.forms import FlaskForm, Mobile, normalise_phone, strip
from coordinator.i18n import lazy_gettext as _l

# Quick picks: one tap for what most bikes are; anything else goes in the note.
COLOURS = [
    ("black", _l("Black")),
    ("white", _l("White")),
    ("silver", _l("Silver")),
    ("blue", _l("Blue")),
    ("red", _l("Red")),
    ("green", _l("Green")),
    ("yellow", _l("Yellow")),
    ("pink", _l("Pink")),
    ("other", _l("Other colour")),
]
COLOUR_LABELS = dict(COLOURS)
BRANDS = ["永久", "凤凰", "捷安特", "飞鸽", "美利达", "喜德盛", "共享单车", "电动车"]


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class BikeForm(FlaskForm):
    photo = FileField(_l("Photo"))
    colour = RadioField(
        _l("Colour"),
        choices=_choices(COLOURS),
        validators=[InputRequired(_l("Choose the colour."))],
    )
    brand = StringField(
        _l("Brand"),
        filters=[strip],
        validators=[Length(max=40, message=_l("At most 40 characters."))],
    )
    location = StringField(
        _l("Where it stands"),
        filters=[strip],
        validators=[
            DataRequired(_l("Say where the bike stands.")),
            Length(max=80, message=_l("At most 80 characters.")),
        ],
    )
    note = StringField(
        _l("Note"),
        filters=[strip],
        validators=[Length(max=200, message=_l("At most 200 characters."))],
    )


class ClaimForm(FlaskForm):
    tag = IntegerField(
        _l("Tag number"),
        validators=[
            InputRequired(_l("Enter the number on the tag.")),
            NumberRange(1, 99999, _l("Enter the number on the tag.")),
        ],
    )
    phone = StringField(
        _l("Your mobile number"),
        filters=[normalise_phone],
        validators=[DataRequired(_l("Enter your mobile number.")), Mobile()],
    )


class HandoverForm(FlaskForm):
    to_kind = SelectField(_l("Handed to"), choices=_choices(RECEIVERS.items()))
    to_whom = StringField(
        _l("Name of the receiving unit"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter who received the bikes.")),
            Length(max=80, message=_l("At most 80 characters.")),
        ],
    )
    receiver_name = StringField(
        _l("Receiver's name"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter the receiver's name.")),
            Length(max=40, message=_l("At most 40 characters.")),
        ],
    )
    handed_at = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date."))])
    count = IntegerField(
        _l("Bikes recycled"),
        validators=[
            InputRequired(_l("Enter how many bikes were handed over.")),
            NumberRange(0, 100000, _l("Enter a number of bikes.")),
        ],
    )
    reused = IntegerField(
        _l("Bikes reused (exchange)"),
        default=0,
        validators=[Optional(), NumberRange(0, 100000, _l("Enter a number of bikes."))],
    )
    note = TextAreaField(
        _l("Note"),
        filters=[strip],
        validators=[Length(max=1000, message=_l("At most 1000 characters."))],
    )
