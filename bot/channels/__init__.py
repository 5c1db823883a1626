"""Channel adapters: translate a platform's messages to the engine's envelope and back, nothing more."""
