"""The patrols URL map."""

from flask import Blueprint

bp = Blueprint("patrols", __name__)
