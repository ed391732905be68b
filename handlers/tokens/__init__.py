"""Tokens themselves: reading JWTs without trusting them, what kind of token a value is, and
checking signatures against keys a trusted source names."""
