"""The form a resident fills in to become a volunteer."""

from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from coordinator.events.forms import options
from coordinator.events.models import ID_TYPES
from coordinator.forms import FlaskForm, Mobile, new_password_fields, normalise_phone, strip
from coordinator.i18n import lazy_gettext as _l


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
    password, confirm = new_password_fields(_l("Password"))
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
