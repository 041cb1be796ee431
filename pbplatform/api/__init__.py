"""The JSON API under /api/v1 (issue 4): personal tokens, reads, proposal and ballot writes."""
