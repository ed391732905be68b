"""The verdict corpus: one case per broken (or healthy) setup on a real peer or a recorded answer.

Each case states its ground truth in words and the verdict a responder needs first. A test runs
the real command against the peer and hands the report to `judge`, which classifies the answer as
right, wrong or "could not tell", records it for `bench/verdicts.py`, and fails the test unless it
is right. Fixtures check the peer's ground truth with plain HTTP before a case runs, so a broken
fixture cannot pass as a verdict.
"""
