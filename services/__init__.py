"""Use cases over the database: what the bot, the scheduler and the CLI all call.

Each function takes plain values and an `AsyncSession` (keyword `session`), never a
Telegram update, so the same rule serves a chat command and a CLI command alike.
"""
