"""samleng.intake."""
