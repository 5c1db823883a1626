"""The `union-assistant` command line."""
