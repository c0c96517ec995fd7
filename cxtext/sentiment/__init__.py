"""Sentiment per clause and per comment, and the predicted NPS group of unscored comments."""
