"""cxtext's HTTP API: FastAPI over the DuckDB store and the trained models."""
