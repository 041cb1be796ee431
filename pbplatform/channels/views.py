"""HTTP views for the vote channels: meetings, paper ballots, voting codes, census."""

from flask import Blueprint

bp = Blueprint("channels", __name__)
