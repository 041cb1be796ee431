"""HTTP views for moderation."""

from flask import Blueprint

bp = Blueprint("moderation", __name__)
