"""cxtext: multilingual text mining for customer feedback."""

__version__ = "0.1.0"
