"""Conversation engine, answer composer and channel adapters."""
