"""All of the simulator's SQL: `received` (interchanges, claims and documents as they arrive), `cycle` (what
an adjudication cycle reads and writes) and `inbox` (the API's documents and member roster). Nothing outside
this package, `tables` and `migrations` imports SQLAlchemy (an import contract keeps it so)."""
