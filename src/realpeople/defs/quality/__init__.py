"""Data-quality checks on the model's input and output tables (Great Expectations)."""
