"""The job page offline: the service worker's script, served from the site's root so that its
scope covers /jobs/ and /j/ (a worker's scope is the folder of its script at most)."""

from flask import current_app, send_from_directory

from coordinator.access import public


@public
def service_worker():
    # no-cache: the browser asks each time whether the worker changed (a new deploy takes
    # over at once); the file itself is static/js/sw.js, written for no framework.
    response = send_from_directory(
        current_app.static_folder, "js/sw.js", mimetype="text/javascript", max_age=0
    )
    response.headers["Cache-Control"] = "no-cache"
    return response
