"""The pipeline version stamped on every document and dead letter (bump when enrichment changes)."""

PIPELINE_VERSION = "1"
