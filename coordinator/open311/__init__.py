"""Open311 GeoReport v2 at /open311/v2/: the city's and other systems read our categories
as services, post service requests (cases, channel "open311") with a key an admin made for
them, and follow them. The specification: http://wiki.open311.org/GeoReport_v2 (README:
"The Open311 API").

blueprint.py is the URL map; wire.py the documents in XML and JSON; catalog.py what we offer
in Open311's words; addresses.py address_id and address_string on our place tree; forms.py
what clients send; queries.py and services.py as in every domain.
"""

from coordinator.open311 import models  # noqa: F401
