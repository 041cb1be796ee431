"""Officers' and administrators' home pages: what waits for them, and every tool they have."""
