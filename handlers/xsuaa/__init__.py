"""SAP XSUAA and Cloud Foundry UAA: service-binding Secrets, credential types, and the password
grant with its split of client from user authentication."""
