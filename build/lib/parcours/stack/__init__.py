"""The embedded stack of `parcours up` and the tester mode's clock."""
