"""School records in: the schools' export read, checked and synced (docs/school-records.md)."""
