"""cxtext.text."""
