"""The editorial line: touch points, drafts and their variants, brand checks, approval."""
