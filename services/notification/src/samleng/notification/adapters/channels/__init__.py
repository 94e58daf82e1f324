"""Channel adapters: one interface (:class:`ChannelAdapter`), one module per channel."""

from samleng.notification.adapters.channels.base import ChannelAdapter, Outgoing

__all__ = ["ChannelAdapter", "Outgoing"]
