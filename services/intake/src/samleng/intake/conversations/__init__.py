"""Inbound conversations: filing and following a case by SMS or Telegram.

- :mod:`.dialogue`: the channel-neutral guided conversation, pure (kind, category,
  place, description, the conflict-of-interest question, confirm);
- :mod:`.replies`: what each step says, in Khmer and English, and its SMS cost;
- :mod:`.handlers`: the use cases (one inbound message in, replies out): commands
  STATUS, STOP, HELP, EN/KM, answers to an office's question, filing the case;
- :mod:`.store`: conversation state in MongoDB, keyed by a keyed hash of the sender;
- :mod:`.sms` and :mod:`.telegram`: the HTTP edges of each channel.
"""
