"""Tokens themselves: reading JWTs without trusting them, what kind of token a value is, what
can be told about one offline (its findings, shared by `decode` and `header`), a token's times by
a server's clock, and checking signatures against keys a trusted source names."""
