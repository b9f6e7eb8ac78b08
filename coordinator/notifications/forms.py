from wtforms import SelectChoice, SelectField

from coordinator.forms import SearchForm
from coordinator.i18n import lazy_gettext as _l
from coordinator.notifications.models import FAILED, PENDING, SENDING, SENT

STATUS_LABELS = {
    PENDING: _l("Waiting"),
    SENDING: _l("Sending"),
    SENT: _l("Sent"),
    FAILED: _l("Failed"),
}
STATUS_TONES = {PENDING: "blue", SENDING: "orange", SENT: "green", FAILED: "red"}


class OutboxFilterForm(SearchForm):
    status = SelectField(
        _l("Status"),
        default="",
        choices=[SelectChoice("", _l("All"))]
        + [SelectChoice(value, label) for value, label in STATUS_LABELS.items()],
    )
