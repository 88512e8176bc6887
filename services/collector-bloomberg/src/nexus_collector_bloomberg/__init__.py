"""Bloomberg Data License REST history requests."""
