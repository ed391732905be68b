"""Authorization schemes other than OAuth bearer tokens: the challenges servers send, AWS
Signature Version 4, and API keys."""
