"""samleng.routing."""
