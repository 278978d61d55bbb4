"""Train and score: thin assets around ``src/realpeople/ml/``."""
