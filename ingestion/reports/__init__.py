"""Report figure extraction: documents (text or PDF) -> rows of raw.report_figures."""
