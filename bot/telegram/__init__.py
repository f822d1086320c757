"""The python-telegram-bot adapter: updates become events, screens become messages."""
