"""The API's routers: each parses a request, calls a service and returns its result."""
