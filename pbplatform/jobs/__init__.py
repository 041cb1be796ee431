"""Background jobs: long work (counting, a person's data download) run by an RQ worker with
progress a page can show. Without JOBS_REDIS_URL the work runs in the request, in-process."""
