"""`diagnose`: gather every fact about a failing URL at once, then rank the causes that fit.

Split in three so each part can be read and tested alone: `evidence` calls the outside world
(concurrently, each step bounded, a step that cannot run is recorded as such and never counted as
evidence), `causes` holds the candidate causes as data with small predicates over the facts, and
`ranking` orders them and turns the outcome into findings. `routes` matches a URL to an APIRule.
"""
