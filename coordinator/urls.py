"""Full URLs for what leaves the app (text messages): PUBLIC_URL when it is set (behind a proxy,
or from the CLI and the delivery process, which have no request to read the host from)."""

from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values) -> str:
    base = current_app.config["PUBLIC_URL"]
    if has_request_context() and not base:
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=base or "http://localhost"):
        return url_for(endpoint, _external=True, **values)
