"""Open311's URL map: the GeoReport v2 API under /open311/v2/ (its own blueprint, `api`, whose
error handlers answer in Open311's documents and which takes no CSRF token: its clients are
systems that authenticate by api_key), and the admin's pages for keys and address ids.

The format is the path's extension (`services.xml`, `requests/17.json`). Every API address
takes every method, so that a wrong one is answered by the resource (405, in its format)
rather than by the site's HTML page; anything else under /v2/ is a 404 in the asked format.
"""

from flask import Blueprint

from coordinator.extensions import csrf
from coordinator.open311 import routes
from coordinator.open311.routes import EVERY_METHOD as ANY

ANY_BUT_POST = [method for method in ANY if method != "POST"]

bp = Blueprint("open311", __name__, url_prefix="/open311")

bp.add_url_rule("/keys", view_func=routes.keys, methods=["GET", "POST"])
bp.add_url_rule("/keys/<int:key_id>/revoke", view_func=routes.revoke, methods=["POST"])
bp.add_url_rule("/addresses", view_func=routes.address_ids)

api = Blueprint("api", __name__, url_prefix="/v2")
# The discovery document may live above the endpoint it points to (its spec): here and in it.
above = Blueprint("above", __name__)
for each in (api, above):
    csrf.exempt(each)
    routes.init_errors(each)

above.add_url_rule("/discovery.<fmt>", view_func=routes.discovery, methods=ANY)

api.add_url_rule("/discovery.<fmt>", view_func=routes.discovery, methods=ANY)
api.add_url_rule("/services.<fmt>", view_func=routes.services_list, methods=ANY)
api.add_url_rule("/services/<service_code>.<fmt>", view_func=routes.service_definition, methods=ANY)
# POST has its own view, rate-limited per key and per address; GET is a bounded read.
api.add_url_rule("/requests.<fmt>", view_func=routes.create_request, methods=["POST"])
api.add_url_rule("/requests.<fmt>", view_func=routes.service_requests, methods=ANY_BUT_POST)
api.add_url_rule("/requests/<int:case_id>.<fmt>", view_func=routes.service_request, methods=ANY)
api.add_url_rule("/", view_func=routes.unknown, methods=ANY)
api.add_url_rule("/<path:rest>", view_func=routes.unknown, methods=ANY)

bp.register_blueprint(api)
bp.register_blueprint(above)
