"""Keyed digests, codes, password hashes and the password policy."""
