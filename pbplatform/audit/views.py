"""HTTP views for audit."""

from flask import Blueprint

bp = Blueprint("audit", __name__)
