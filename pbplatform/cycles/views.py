"""HTTP views for cycles."""

from flask import Blueprint

bp = Blueprint("cycles", __name__)
