"""Participation statistics of a cycle, per area (issue 13.3).

Built from participation records (the one-vote register, meeting attendance, proposals'
intake channels) and, for the mobilisation indicator, from the published count's per-channel
totals; never from ballots. No cell below `MIN_CELL` is shown (see `suppression`).
"""
