"""Open-Meteo hourly temperature, wind speed and solar radiation per bidding zone."""
