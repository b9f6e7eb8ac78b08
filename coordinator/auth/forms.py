from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from coordinator.access import ROLES
from coordinator.forms import FlaskForm, Mobile, new_password_fields, normalise_phone, options
from coordinator.i18n import lazy_gettext as _l


class LoginForm(FlaskForm):
    phone = StringField(
        _l("Mobile number"),
        filters=[normalise_phone],
        validators=[DataRequired(_l("Enter your mobile number.")), Mobile()],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=128)]
    )
    remember = BooleanField(_l("Keep me signed in on this phone"), default=True)


class UserForm(FlaskForm):
    name = StringField(
        _l("Name"),
        filters=[lambda s: s.strip() if s else s],
        validators=[DataRequired(_l("Enter a name.")), Length(max=40)],
    )
    phone = StringField(
        _l("Mobile number"),
        filters=[normalise_phone],
        validators=[DataRequired(_l("Enter a mobile number.")), Mobile()],
    )
    role = SelectField(_l("Role"), choices=options(ROLES.items()))
    community_id = SelectField(_l("Community"), coerce=int, validators=[Optional()])
    team_id = SelectField(_l("Team"), coerce=int, validators=[Optional()])
    password = PasswordField(
        _l("Password"),
        description=_l("At least 8 characters. Leave empty to keep the current one."),
        validators=[Optional(), Length(min=8, max=128, message=_l("Use 8 to 128 characters."))],
    )
    active = BooleanField(_l("Account active"), default=True)


class PasswordLinkForm(FlaskForm):
    """/password: the number to text a link to."""

    phone = StringField(
        _l("Mobile number"),
        filters=[normalise_phone],
        validators=[DataRequired(_l("Enter your mobile number.")), Mobile()],
    )


class SetPasswordForm(FlaskForm):
    """/password/<token>: the new password, twice."""

    password, confirm = new_password_fields(_l("New password"))
