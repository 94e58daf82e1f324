"""The retention policy: erase what could identify a citizen some time after closure."""
