"""Co-design: co-authors, amendments proposed by other residents, and merges of duplicates that
need their authors' consent."""
