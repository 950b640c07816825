"""Fetchers of the public statistics sources (SCB PxWeb, Arbetsförmedlingen Excel).

Every fetcher runs the same parse code on the live response and on the embedded snapshot in
``data/snapshots/``; ``FINSAM_SOURCES`` (see ``ingestion.config.sources_mode``) picks which.
"""
