"""Closing the loop: routing tagged comments to the teams that own their causes, and
the follow-up cases opened for them (stored by :mod:`cxtext.store.cases`)."""

from cxtext.loop.cases import cases_to_open
from cxtext.loop.notify import Delivery, notify_run, sign
from cxtext.loop.routing import UNROUTED, Routing, Rule, load_routing

__all__ = [
    "UNROUTED",
    "Delivery",
    "Routing",
    "Rule",
    "cases_to_open",
    "load_routing",
    "notify_run",
    "sign",
]
