"""The map of the subdistrict: communities, compounds, buildings, entrances, grids."""

from flask import Blueprint

bp = Blueprint("places", __name__, url_prefix="/places")
