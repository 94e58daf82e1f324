"""The retention policy: erase a citizen's sealed contacts some time after their case is final."""
