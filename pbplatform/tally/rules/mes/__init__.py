"""The Method of Equal Shares: the rules (``equal_shares``: plain, the add1 completions and
the comparison step), the exact runs (``exact``, ``exact_approval``, ``exact_whole``), the
certified float runs (``float_approval``, ``float_points``), the float bounds they share
(``bounds``) and the search over shares of the completions (``search``); ``voters`` turns
``model.Ballots`` into the voters' rows, groups and weights these take."""
