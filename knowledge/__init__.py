"""Knowledge sources: statute parsers, guidance cards, union policies and service stations."""
