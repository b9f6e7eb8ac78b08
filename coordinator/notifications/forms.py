from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from coordinator.forms import SearchForm
from coordinator.notifications.models import FAILED, PENDING, SENDING, SENT

STATUS_LABELS = {
    PENDING: _l("Waiting"),
    SENDING: _l("Sending"),
    SENT: _l("Sent"),
    FAILED: _l("Failed"),
}
STATUS_TONES = {PENDING: "blue", SENDING: "orange", SENT: "green", FAILED: "red"}


class OutboxFilterForm(SearchForm):
    status = SelectField(_l("Status"), choices=[("", _l("All"))] + list(STATUS_LABELS.items()),
                         default="")
