"""What every response carries for the browser's side of security, and where redirects may go.

The Content-Security-Policy allows scripts only from this site's own files (static/), so a
script that slips into a page through stored text cannot run: templates hold no inline
<script>, no on*= handlers and no hx-on (static/js/app.js wires buttons by data- attributes),
and htmx is told not to eval, not to run scripts in swapped HTML and not to inject its own
<style> (the indicator rule is in app.css). Style attributes stay allowed (`style-src-attr`):
bars and widths are set inline, and a style attribute cannot run script. The camera stays
allowed for this site only: field workers and patrols take photos from the form.
"""

from urllib.parse import unquote, urlsplit

from flask import request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    # Job links (/j/<token>) and tracking links carry their secret in the path: never send
    # our addresses to another site.
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def add_headers(response):
    """after_request: the headers above on every answer (a view may set its own first)."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def local_target(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, else `default`: for `next` and similar.

    Browsers drop tabs and newlines inside a URL and read a backslash as a slash, so
    "/\\t/evil.example" (what `?next=/%09/evil.example` decodes to) or "/\\evil" would leave the
    site; only a plain absolute path with no scheme and no host passes, and none that hides
    such characters behind percent signs.
    """
    if not target or len(target) > 2048:
        return default
    # Checked as given and once decoded, for a target that went through one more quoting.
    if any(ord(ch) < 0x20 or ch in "\\\x7f" for ch in target + unquote(target)):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
