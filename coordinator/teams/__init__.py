"""Service teams: who can do what, where, with how many hands."""

from flask import Blueprint

bp = Blueprint("teams", __name__, url_prefix="/teams")
