"""samleng.reporting."""
