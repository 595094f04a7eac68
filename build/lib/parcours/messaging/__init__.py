"""Outgoing messages: providers per channel (SMTP, HTTP SMS gateway, dev inbox) and the courier
that makes each logical message go out once."""
