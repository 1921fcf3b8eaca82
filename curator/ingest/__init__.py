"""Listening: sources, fetching, parsing, de-duplication and import of mentions."""
