"""Language analysis: the spaCy pipeline, sentiment and personal-data masking."""
