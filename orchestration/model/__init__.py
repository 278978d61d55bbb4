"""Train and score: thin assets around ``ml/``."""
