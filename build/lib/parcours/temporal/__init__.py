"""How Parcours meets Temporal: the connection, payload encryption, the workflow sandbox, metrics and traces."""
