"""Open311 GeoReport v2 beside the native API."""
