"""The written commentary: model narrative under a numbers guard, with a deterministic fallback."""
