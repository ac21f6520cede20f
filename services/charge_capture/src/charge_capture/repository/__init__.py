"""All of charge capture's SQL: `reference` (set-up as coding reads it), `setup` (set-up as the API writes it)
and `encounters`. Nothing outside this package, `tables` and `migrations` imports SQLAlchemy (an import
contract keeps it so)."""
