"""Measurements of the pure modules against the shared labelled data, one command per module."""
