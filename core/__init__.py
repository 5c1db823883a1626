"""Domain logic and storage shared by the bot and the web app."""
