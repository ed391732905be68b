"""`diagnose`: gather every fact about a failing URL at once, then rank the causes that fit.

Split so each part can be read and tested alone: `facts` is the data (the steps tried and what
each found), `gathering` runs the steps concurrently, each bounded (`probe_step`, `rule_steps`,
`introspection_step`, `hydra_steps`, `client_step`, each reading through the same subject
packages as the commands; a step that cannot run is recorded as such and never counted as
evidence), the `causes` package holds the candidate causes as data with small predicates over
the facts, one module per subject, and `ranking` orders them and turns the outcome into findings.
"""
