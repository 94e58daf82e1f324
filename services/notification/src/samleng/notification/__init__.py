"""samleng.notification."""
