"""Channel adapters: one module per channel, each implementing ``ports.ChannelAdapter``."""
