"""The campaigns URL map."""

from flask import Blueprint

bp = Blueprint("campaigns", __name__)
