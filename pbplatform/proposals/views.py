"""HTTP views for proposals."""

from flask import Blueprint

bp = Blueprint("proposals", __name__)
