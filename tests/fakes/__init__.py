"""Fakes that speak real HTTP on loopback; shared by the test modules."""
