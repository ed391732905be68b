"""Who answered a request, and what the answer proves: the table of gateway wordings (Envoy,
Oathkeeper, nginx, Kong, AWS, Apigee, Azure, Google, Traefik), the who-answered reader, and the
verdict a pair of answers (without and with the token) proves on its own, as `probe` words it,
and the schemes the answers ask for."""
