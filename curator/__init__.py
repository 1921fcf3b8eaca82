"""Curator core: domain, store and services. Imports no Qt (see DESIGN.md)."""

__version__ = "0.1.0"
