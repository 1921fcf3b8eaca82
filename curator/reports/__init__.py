"""Reports: read-only summaries of a workspace (metrics, the monitor wall)."""
