"""HTTP views for accounts."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)
