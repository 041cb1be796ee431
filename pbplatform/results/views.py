"""HTTP views for results."""

from flask import Blueprint

bp = Blueprint("results", __name__)
