"""ODRL 2.2 rights engine: parse, evaluate and author reuse policies (no Django)."""
