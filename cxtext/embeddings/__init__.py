"""cxtext.embeddings."""
