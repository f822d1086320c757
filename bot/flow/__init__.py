"""The conversation, free of Telegram, HTTP and SQL: what to show and what comes next."""
