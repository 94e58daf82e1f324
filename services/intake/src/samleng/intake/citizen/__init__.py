"""The citizen side: submit feedback and follow and act on a case with its tracking code."""
