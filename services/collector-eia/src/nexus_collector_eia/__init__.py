"""EIA Open Data v2 hourly demand and daily/monthly prices."""
