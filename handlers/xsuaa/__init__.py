"""SAP XSUAA and Cloud Foundry UAA: service-binding Secrets (`binding`), their X.509 certificate
and mutual TLS (`x509`), and the password grant (`password_grant`, `password_run`,
`user_refusals`) with its split of client from user authentication."""
