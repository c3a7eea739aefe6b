"""What the bot says, shared by the chat handlers and the scheduler: message catalogues, HTML
rendering, the button protocol and the scheduled notices (outbox payloads)."""
