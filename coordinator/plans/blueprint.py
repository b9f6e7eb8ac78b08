"""The plans URL map."""

from flask import Blueprint

bp = Blueprint("plans", __name__)
