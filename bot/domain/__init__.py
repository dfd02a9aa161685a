"""Domain services and models: plain Python, no Discord."""
