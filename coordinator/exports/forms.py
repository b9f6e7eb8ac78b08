from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from coordinator.forms import FlaskForm, options, strip
from coordinator.i18n import lazy_gettext as _l


class FullExportForm(FlaskForm):
    """An admin's request for an export with ID numbers in full: the purpose is required."""

    purpose = TextAreaField(
        _l("Official purpose"),
        filters=[strip],
        description=_l(
            "E.g. the 志愿北京 annual hours report for the district. It is logged "
            "with your name, the time and the filter."
        ),
        validators=[
            DataRequired(_l("Say for what official purpose you need the full ID numbers.")),
            Length(min=4, max=500, message=_l("Use 4 to 500 characters.")),
        ],
    )
    fmt = SelectField(_l("Format"), choices=options([("xlsx", "Excel (XLSX)"), ("csv", "CSV")]))
