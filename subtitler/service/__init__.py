"""The local HTTP server: OpenAI-compatible transcription routes, a bounded job queue and an on-disk result cache.

It imports the core (asr, formats, media); nothing imports it but the CLI's `subtitler serve`.
FastAPI and uvicorn are imported only here, so the editor and the other commands never load them.
"""
