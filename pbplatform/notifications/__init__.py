"""Follow proposals, areas and cycles; notifications on the site, by e-mail and by letter."""
