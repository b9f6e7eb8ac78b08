"""The job page offline: the service worker's script, served from the site's root so that its
scope covers /jobs/ and /j/ (a worker's scope is the folder of its script at most)."""

from pathlib import Path

from flask import current_app, make_response, request

from coordinator.access import public


@public
def service_worker():
    # no-cache: the browser asks each time whether the worker changed (the ETag answers 304
    # when not), so a new deploy's worker takes over at once. The file is static/js/sw.js;
    # read whole (a few kB), no file is left open behind the answer.
    script = Path(current_app.static_folder, "js", "sw.js").read_bytes()
    response = make_response(script)
    response.mimetype = "text/javascript"
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag()
    return response.make_conditional(request)
