"""Authorization headers and schemes other than OAuth bearer tokens: finding the header in a
paste, its shape (scheme spelling, whitespace, quotes), Basic credentials, the challenges servers
send, AWS Signature Version 4, and API keys."""
