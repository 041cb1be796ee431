"""HTTP views for co-production offers."""

from flask import Blueprint

bp = Blueprint("coproduction", __name__)
