"""The patrol's forms: each posts one step and comes back to the compound's card."""

from flask_wtf.file import FileField
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from coordinator.forms import FlaskForm, strip
from coordinator.i18n import lazy_gettext as _l

_ID = [InputRequired(), NumberRange(1)]


class ArriveForm(FlaskForm):
    grid_id = IntegerField(validators=_ID)
    compound_id = IntegerField(validators=_ID)


class CheckForm(FlaskForm):
    """One item: the button pressed says OK (result=ok) or a problem (result=problem)."""

    item = StringField(validators=[InputRequired(), Length(max=30)])
    result = StringField(validators=[InputRequired(), Length(max=10)])
    note = TextAreaField(_l("What is wrong?"), filters=[strip], validators=[Length(max=1000)])
    photo = FileField(_l("Photo"))

    @property
    def ok(self) -> bool:
        return self.result.data == "ok"
