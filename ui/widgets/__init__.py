"""Small reusable widgets (no store access, no background work)."""
