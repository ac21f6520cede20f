"""The console's pages, one module per kind of work: HTTP and templates only."""
