"""Neighbourhood meetings as public events: time, agenda, the proposals discussed, minutes, and
invitations to the area's followers and to the proposers of the proposals on the agenda."""
