"""Monthly cost estimate of a stack configuration (no Pulumi import: the CLI reads it too)."""
