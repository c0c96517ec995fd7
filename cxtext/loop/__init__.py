"""Closing the loop: routing tagged comments to the teams that own their causes."""

from cxtext.loop.routing import UNROUTED, Routing, Rule, load_routing

__all__ = ["UNROUTED", "Routing", "Rule", "load_routing"]
