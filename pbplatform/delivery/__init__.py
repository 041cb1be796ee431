"""After the vote: delivery of funded proposals, the public accountability report and the
cycle's open data (issue 15 items 4-6)."""
