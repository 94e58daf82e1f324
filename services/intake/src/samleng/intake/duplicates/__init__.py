"""Duplicates: found when a case reaches an office, followed once an officer links them."""
