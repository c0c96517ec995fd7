"""cxtext.io."""
