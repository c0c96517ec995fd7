"""Theme models: discovery, seeds, labels, curation."""
