"""The application database: school records, accounts, codes, the message ledger (SQLAlchemy 2)."""
