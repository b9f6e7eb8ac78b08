"""The warnings URL map."""

from flask import Blueprint

bp = Blueprint("warnings", __name__)
