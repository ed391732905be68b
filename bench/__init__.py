"""On-demand benchmarks (`.venv/bin/python bench/<name>.py`); see the README's Performance."""
