"""Open311's views (their URLs: blueprint.py): the GeoReport v2 API, and the admin's pages for
keys and address ids.

The API answers only in its own documents: every refusal, whatever raised it (a bad
parameter, an unknown path, a method the resource does not take, a body too large, a rate
limit), is the specification's error list in the format the path asked for (XML when it asked
for none we know), with the HTTP status the specification names: 400 for a request that
cannot be fulfilled, 403 for a missing, unknown or revoked api_key, 404 for what does not
exist. The handlers are the API blueprint's own (init_errors), so the site's HTML error pages
never answer a client.
"""

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from coordinator.access import ADMIN, allow, public
from coordinator.categories import CATEGORIES
from coordinator.extensions import db, limiter
from coordinator.forms import ButtonForm
from coordinator.i18n import gettext as _
from coordinator.i18n import utcnow
from coordinator.open311 import addresses, forms, queries, services
from coordinator.open311.models import key_digest
from coordinator.open311.wire import Open311Error, answer, errors, fmt_of
from coordinator.rendering import render
from coordinator.rules import Refused, show_refusal

EVERY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE"]


# ---------------------------------------------------------------- the API's plumbing


def _asked_format() -> str | None:
    """The format the path names: its <fmt>, or the extension of an unknown path."""
    args = request.view_args or {}
    if "fmt" in args:
        return fmt_of(args["fmt"])
    rest = args.get("rest") or request.path
    return fmt_of(rest.rsplit(".", 1)[-1]) if "." in rest else None


def _format(fmt: str) -> str:
    found = fmt_of(fmt)
    if found is None:
        raise Open311Error(400, _("Unknown format: ask for .xml or .json."))
    return found


def _methods(*allowed: str) -> None:
    if request.method not in allowed and not (request.method == "HEAD" and "GET" in allowed):
        raise Open311Error(
            405,
            _("This resource answers %(methods)s only.", methods=", ".join(allowed)),
            headers={"Allow": ", ".join(allowed)},
        )


def _param(name: str) -> str:
    """A parameter from the form body or the query string, spaces trimmed."""
    value = request.form.get(name) if request.method == "POST" else None
    if value is None:
        value = request.args.get(name)
    return (value or "").strip()


def _jurisdiction() -> None:
    """One jurisdiction: jurisdiction_id may be left out; another one is not found (404)."""
    given = _param("jurisdiction_id")
    ours = current_app.config["OPEN311_JURISDICTION"]
    if given and given.lower() != ours.lower():
        raise Open311Error(
            404,
            _(
                "jurisdiction_id %(given)s is not served here; this endpoint serves %(ours)s.",
                given=given[:60],
                ours=ours,
            ),
        )


def _key(required: bool):
    """The api_key's row: required (POST) → 403 without one; any key sent must be a live one."""
    text = _param("api_key")
    if not text:
        if required:
            raise Open311Error(403, _("api_key is missing: a service request needs one."))
        return None
    key = queries.find_key(text)
    if key is None:
        raise Open311Error(403, _("Invalid api_key received; ask the subdistrict for a key."))
    if key.revoked_at is not None:
        raise Open311Error(
            403, _("This api_key has been revoked; ask the subdistrict for a new one.")
        )
    return key


def init_errors(api) -> None:
    """The API blueprint's error handlers: every refusal as an Open311 error document."""

    @api.errorhandler(Open311Error)
    def open311_error(error):
        db.session.rollback()
        return errors(_asked_format(), error)

    @api.errorhandler(Refused)
    def refused(error):
        db.session.rollback()
        status = error.status if error.status in (403, 404) else 400
        return errors(_asked_format(), Open311Error(status, error.message))

    @api.errorhandler(HTTPException)
    def http_error(error):
        db.session.rollback()
        code = error.code or 400
        words = {
            413: _("The request is too large."),
            429: _("Too many requests; wait a minute and try again."),
            405: _("This resource does not take that method."),
            404: _("No such resource; start at discovery.xml or services.xml."),
        }
        status = code if code in (403, 404, 405, 413, 429) else 400
        return errors(_asked_format(), Open311Error(status, words.get(code, _("Bad request."))))

    @api.errorhandler(Exception)
    def general_error(error):
        # The specification's "General service error": 400 and words; the cause is logged.
        db.session.rollback()
        current_app.logger.exception("open311: unhandled error on %s", request.path)
        if current_app.config.get("PROPAGATE_EXCEPTIONS"):
            raise error
        return errors(
            _asked_format(),
            Open311Error(400, _("General service error; please tell the subdistrict.")),
        )


# ---------------------------------------------------------------- rate limits


def _post_key_limit() -> str:
    return current_app.config["OPEN311_KEY_RATE_LIMIT"]


def _post_address_limit() -> str:
    return current_app.config["OPEN311_ADDRESS_RATE_LIMIT"]


def _per_key() -> str:
    """The POST's key, as the limiter counts it (its digest: keys are not kept anywhere)."""
    return "open311-key:" + key_digest(_param("api_key"))[:32]


# ---------------------------------------------------------------- the API


def _base_url() -> str:
    root = current_app.config.get("PUBLIC_URL") or request.host_url
    return root.rstrip("/") + url_for("open311.api.services_list", fmt="xml").rsplit("/", 1)[0]


@public
def discovery(fmt: str):
    """The service discovery document (required in XML and JSON)."""
    _methods("GET")
    fmt = _format(fmt)
    name, phone = queries.office_contact()
    contact = current_app.config["OPEN311_CONTACT"] or _(
        "%(office)s, office phone %(phone)s", office=name, phone=phone or "—"
    )
    key_service = _(
        "API keys are made by the subdistrict's admin (%(office)s): ask with the name of "
        "your system and a contact.",
        office=name,
    )
    return answer(fmt, "discovery", queries.discovery(_base_url(), contact, key_service))


@public
def services_list(fmt: str):
    _methods("GET")
    fmt = _format(fmt)
    _jurisdiction()
    return answer(fmt, "services", queries.service_list())


@public
def service_definition(service_code: str, fmt: str):
    _methods("GET")
    fmt = _format(fmt)
    _jurisdiction()
    definition = queries.service_definition(service_code)
    if definition is None:
        raise Open311Error(404, _("No service %(code)s; see services.xml.", code=service_code[:40]))
    return answer(fmt, "service_definition", definition)


@public
def service_requests(fmt: str):
    """GET requests: the requests the filters name (POST: create_request, same address)."""
    _methods("GET", "POST")
    fmt = _format(fmt)
    _jurisdiction()
    key = _key(required=False)
    filters = forms.parse_query(request.args)
    if key is not None:
        queries.mark_used(key.id, utcnow())
    rows = queries.service_requests(filters, key.id if key else None)
    return answer(fmt, "service_requests", rows)


@public
@limiter.limit(_post_key_limit, key_func=_per_key)
@limiter.limit(_post_address_limit)
def create_request(fmt: str):
    """POST requests: a new service request (form-encoded, with its api_key), a new case."""
    fmt = _format(fmt)
    _jurisdiction()
    return _create(fmt)


def _create(fmt: str):
    key = _key(required=True)
    code = _param("service_code")
    if not code:
        raise Open311Error(400, _("service_code is missing; see services.xml."))
    if code not in CATEGORIES:
        raise Open311Error(404, _("No service %(code)s; see services.xml.", code=code[:40]))
    form = forms.RequestForm()
    problems = forms.Problems()
    form.validate()
    for messages in form.errors.values():
        for message in messages:
            problems.add(message)
    name, phone = form.reporter(problems)
    extra = forms.attributes(request.form, problems)
    place = None
    if not (form.address_id.data or form.address_string.data):
        if form.lat.data or form.long.data:
            problems.add(
                _(
                    "We cannot place lat/long: our map has no coordinates. Send address_string "
                    "(e.g. “红联北村 3号楼”) or address_id (e.g. building-34)."
                )
            )
        else:
            problems.add(_("Send address_string or address_id: where is the problem?"))
    else:
        try:
            place = addresses.resolve(form.address_id.data, form.address_string.data)
        except addresses.UnknownAddress as unknown:
            problems.add(unknown.message)
    problems.raise_any()
    fields = dict(
        extra,
        reporter_name=name,
        reporter_phone=phone,
        description=form.description.data or "",
    )
    kept = ("media_url", "email", "device_id", "account_id")  # beside the case (Submission)
    wanted = {field: getattr(form, field).data for field in kept}
    case = services.submit_request(key, place, code, fields, wanted)
    words = queries.words()
    return answer(
        fmt,
        "service_requests",
        [
            {
                "service_request_id": str(case.id),
                "service_notice": words.notices.get(case.tier),
                "account_id": wanted["account_id"] or None,
            }
        ],
    )


@public
def service_request(case_id: int, fmt: str):
    _methods("GET")
    fmt = _format(fmt)
    _jurisdiction()
    key = _key(required=False)
    if key is not None:
        queries.mark_used(key.id, utcnow())
    found = queries.service_request(case_id, key.id if key else None)
    if found is None:
        raise Open311Error(404, _("No service request %(id)d.", id=case_id))
    return answer(fmt, "service_requests", [found])


@public
def unknown(rest: str = ""):
    """Anything else under /open311/v2/: not found, in the asked format."""
    raise Open311Error(404, _("No such resource; start at discovery.xml or services.xml."))


# ---------------------------------------------------------------- the admin's pages


def _keys_page(status: int, form, made=None):
    return render(
        "open311/keys.html",
        status=status,
        form=form,
        keys=queries.keys(),
        made=made,
        button=ButtonForm(),
        base_url=_base_url(),
    )


@allow(ADMIN)
def keys():
    """Every client's key: who made it, when it was last used, revoke; make a new one."""
    form = forms.KeyForm()
    if request.method == "GET":
        return _keys_page(200, form)
    if not form.validate():
        return _keys_page(422, form)
    page = lambda status, form: _keys_page(status, form)  # noqa: E731
    try:
        row, key = services.make_key(current_user, form.client_name.data, form.contact.data)
    except Refused as refused:
        return show_refusal(refused, form, page)
    response = _keys_page(201, forms.KeyForm(formdata=None), made=(row, key))
    response.headers["Cache-Control"] = "no-store"  # the key is on this page, once
    return response


@allow(ADMIN)
def revoke(key_id: int):
    form = ButtonForm()
    if not form.validate():
        return _keys_page(400, forms.KeyForm(formdata=None))
    try:
        key = services.revoke_key(current_user, key_id)
    except Refused as refused:
        if refused.status == 404:
            raise
        flash(str(refused.message), "error")
        return redirect(url_for("open311.keys"))
    flash(_("The key of %(client)s is revoked.", client=key.client_name), "success")
    return redirect(url_for("open311.keys"))


@allow(ADMIN)
def address_ids():
    """The address ids to give a client, with the names they stand for."""
    return render("open311/addresses.html", compounds=queries.address_book())
