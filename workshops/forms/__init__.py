"""Forms of the workshops app, one module per area."""
