"""cxtext.analysis."""
