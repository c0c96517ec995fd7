"""cxtext.text: cleaning and language identification of feedback texts."""

from cxtext.text.clean import clean_text, clean_texts
from cxtext.text.langid import detect_languages

__all__ = ["clean_text", "clean_texts", "detect_languages"]
