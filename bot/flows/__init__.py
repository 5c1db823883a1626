"""Multi-turn flows: each one a small state machine over the conversation's step and data."""
