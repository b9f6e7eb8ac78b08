"""One way to answer with HTML: the whole page, or one named block of the same template.

An htmx request names its target element; the page template has a block of the same name, and
that block alone is the fragment. Boosted requests and history restores get the whole page,
because the browser shows what comes back as a page.
"""

from flask import current_app, make_response, render_template
from jinja2_fragments.flask import render_block

from coordinator.extensions import htmx


def wants_fragment(template_name: str) -> str | None:
    """The block to render for this request, or None for the full page."""
    if not htmx or htmx.boosted or htmx.history_restore_request:
        return None
    target = htmx.target
    if not target:
        return None
    template = current_app.jinja_env.get_template(template_name)
    return target if target in template.blocks else None


def render(template_name: str, status: int = 200, **context):
    block = wants_fragment(template_name)
    if block:
        body = render_block(template_name, block, **context)
    else:
        body = render_template(template_name, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    response.vary.add("HX-Target")
    return response
