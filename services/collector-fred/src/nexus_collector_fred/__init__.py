"""FRED economic series (gas, oil, FX, industrial production)."""
