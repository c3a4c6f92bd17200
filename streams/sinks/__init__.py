"""The only code that talks to Elasticsearch (and, for alerts, HTTP webhooks)."""
