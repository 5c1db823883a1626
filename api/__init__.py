"""The FastAPI app: webhooks, REST API, web chat and consoles."""
