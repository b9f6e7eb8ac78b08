"""Form pieces every domain uses: the base form, phone validation, the button-only form.

Every form of the app derives from this module's FlaskForm, whose fields read numbers and
dates strictly (see `_Strict`): what `int()`, `Decimal()` and `strptime()` accept is wider
than what a person means and than what the database holds.
"""

import re
from datetime import date, datetime

import wtforms
from flask_wtf import FlaskForm as _FlaskForm
from wtforms.fields.choices import SelectChoice, SelectFieldBase
from wtforms.fields.core import UnboundField
from wtforms.validators import (
    DataRequired,
    EqualTo,
    Length,
    NumberRange,
    StopValidation,
    ValidationError,
)

from coordinator.converters import parse_int
from coordinator.i18n import calendar_day
from coordinator.i18n import lazy_gettext as _l

# [0-9], not \d: \d is any Unicode digit ('١٣٨…' matched and was stored as a phone number).
MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
LANDLINE = re.compile(r"^0[0-9]{2,3}-?[0-9]{7,8}$")
# A Chinese keyboard in full-width mode types １３８ ０００ and ＋８６: the same number.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９＋－（）\u3000", "0123456789+-() ")

# The dates people may type in this work (an event, a notice, a handover, a list filter).
# Outside them a date is a slip (0001-01-01) or a probe (9999-12-31), and the arithmetic done
# with it later (to UTC and back, the end of a day, a claim period) would leave the calendar:
# refused at the field, ignored as a filter, so nothing stored can break a page.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
_DECIMAL = re.compile(r"[+-]?[0-9]{1,9}(?:\.[0-9]{1,6})?")


def strip(value):
    """A WTForms filter: text without the spaces around it (other values as they are)."""
    return value.strip() if isinstance(value, str) else value


def normalise_phone(value: str | None) -> str:
    """People type spaces, dashes, +86 and full-width digits; keep the digits that matter."""
    if not value:
        return ""
    digits = re.sub(r"[\s\-()]", "", value.translate(_FULL_WIDTH).strip())
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits


def in_date_range(value: date | datetime | None) -> bool:
    day = value.date() if isinstance(value, datetime) else value
    return day is not None and FIRST_DAY <= day <= LAST_DAY


def to_int(value) -> int:
    """coerce= for choices of ids: parse_int, raising ValueError as WTForms expects."""
    number = parse_int(value)
    if number is None:
        raise ValueError(value)
    return number


class _OneMessage:
    """A value that could not be read says so once: the field's own range or choice check,
    which would then fail on no value at all, does not add a second message."""

    def pre_validate(self, form):
        if self.process_errors and self.raw_data and str(self.raw_data[0]).strip():
            raise StopValidation()
        super().pre_validate(form)


def _blank(valuelist) -> bool:
    return not valuelist or not str(valuelist[0]).strip()


class _StrictInteger(_OneMessage):
    def _range_message(self):
        """The field's own "from 1 to 90" says more than "too large" does."""
        return next(
            (v.message for v in self.validators if isinstance(v, NumberRange) and v.message), None
        )

    def process_formdata(self, valuelist):
        if _blank(valuelist):  # InputRequired or Optional decide about nothing typed
            self.data = None
            return
        self.data = parse_int(valuelist[0])
        if self.data is None:
            raw = valuelist[0].strip() if isinstance(valuelist[0], str) else ""
            if re.fullmatch(r"[+-]?[0-9]+", raw):
                raise ValueError(self._range_message() or _l("That number is too large."))
            raise ValueError(_l("Enter a whole number with the digits 0-9."))


class _StrictDecimal(_OneMessage):
    def process_formdata(self, valuelist):
        if _blank(valuelist):
            self.data = None
            return
        raw = valuelist[0].strip() if isinstance(valuelist[0], str) else ""
        if not _DECIMAL.fullmatch(raw):  # NaN, Infinity, 1e999999 and Unicode digits
            self.data = None
            raise ValueError(_l("Enter a number with the digits 0-9, e.g. 2.5."))
        super().process_formdata([raw])


class _BoundedDate(_OneMessage):
    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not in_date_range(self.data):
            self.data = None
            raise ValueError(
                _l(
                    "Enter a date between %(first)s and %(last)s.",
                    first=calendar_day(FIRST_DAY),
                    last=calendar_day(LAST_DAY),
                )
            )


_STRICT = [
    (wtforms.IntegerField, _StrictInteger),
    ((wtforms.DecimalField, wtforms.FloatField), _StrictDecimal),
    ((wtforms.DateField, wtforms.DateTimeField, wtforms.MonthField), _BoundedDate),
]
_strict_classes: dict[type, type] = {}


def _strict_class(cls: type) -> type:
    """The field class with its strict reading mixed in (made once per class)."""
    if cls not in _strict_classes:
        mixin = next((m for kinds, m in _STRICT if issubclass(cls, kinds)), None)
        if issubclass(cls, wtforms.Form):
            _strict_classes[cls] = type(
                cls.__name__, (cls,), {"Meta": type("Meta", (_Strict,), {})}
            )
        else:
            _strict_classes[cls] = type(cls.__name__, (mixin, cls), {}) if mixin else cls
    return _strict_classes[cls]


def _strict_field(unbound: UnboundField) -> UnboundField:
    cls, args, kwargs = unbound.field_class, list(unbound.args), dict(unbound.kwargs)
    if issubclass(cls, SelectFieldBase) and kwargs.get("coerce") is int:
        kwargs["coerce"] = to_int
    if issubclass(cls, wtforms.FieldList) and args:  # rows are bound by the list itself
        args[0] = _strict_field(args[0])
    if issubclass(cls, wtforms.FormField):
        if args:
            args[0] = _strict_class(args[0])
        elif "form_class" in kwargs:
            kwargs["form_class"] = _strict_class(kwargs["form_class"])
    return UnboundField(_strict_class(cls), *args, name=unbound.name, **kwargs)


class _Strict:
    """Meta for every form: each field is bound as its strict kind.

    - integers: ASCII digits within the database's integer range ('١٢٣', '²', '０１２' and
      99999999999999999999 are a message at the field, not int()'s number or a 500);
    - decimals: plain digits (Decimal('NaN') made the range check itself raise);
    - dates: between FIRST_DAY and LAST_DAY;
    - choices of ids (coerce=int): the same integers, so a forged id is "not a valid choice".
    Rows of a FieldList and FormField sub-forms get the same.
    """

    def bind_field(self, form, unbound_field, options):
        return super().bind_field(form, _strict_field(unbound_field), options)


class FlaskForm(_FlaskForm):
    """The app's form: Flask-WTF's, with strict numbers and dates (see _Strict)."""

    class Meta(_Strict):
        pass


class Mobile:
    """An 11-digit mainland mobile number (138 0013 8000)."""

    def __init__(self, message=None):
        self.message = message or _l("Enter an 11-digit mobile number, e.g. 13800138000.")

    def __call__(self, form, field):
        if field.data and not MOBILE.match(normalise_phone(field.data)):
            raise ValidationError(self.message)


class Phone:
    """A mobile number or a landline with area code (010-62000000)."""

    def __call__(self, form, field):
        value = normalise_phone(field.data)
        if value and not (MOBILE.match(value) or LANDLINE.match(value)):
            raise ValidationError(
                _l("Enter a mobile number (13800138000) or a landline (010-62000000).")
            )


def new_password_fields(label) -> tuple[UnboundField, UnboundField]:
    """A new password and the same again (joining, a texted link): password, confirm = ..."""
    password = wtforms.PasswordField(
        label,
        validators=[
            DataRequired(_l("Choose a password.")),
            Length(min=8, max=128, message=_l("At least 8 characters.")),
        ],
    )
    confirm = wtforms.PasswordField(
        _l("Password again"), validators=[EqualTo("password", _l("The two passwords differ."))]
    )
    return password, confirm


class ButtonForm(FlaskForm):
    """A form with nothing but its CSRF token, for one-button actions."""


class SearchForm(FlaskForm):
    """GET forms read request.args and need no CSRF token."""

    class Meta:
        csrf = False


def options(pairs) -> list[SelectChoice]:
    """Choices for a SelectField declaration (tuples there are deprecated in WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


def date_arg(values: list[str]) -> date | None:
    """A YYYY-MM-DD filter from the query string (request.args.getlist): a date, or None for
    none, one that is not a date, or one outside FIRST_DAY..LAST_DAY (a list filter ignores
    it, never an error page: 9999-12-31 plus a day was an OverflowError)."""
    if len(values) != 1 or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", values[0].strip()):
        return None
    try:
        day = datetime.strptime(values[0].strip(), "%Y-%m-%d").date()
    except ValueError:
        return None
    return day if in_date_range(day) else None
