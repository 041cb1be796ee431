"""HTTP views for voting."""

from flask import Blueprint

bp = Blueprint("voting", __name__)
