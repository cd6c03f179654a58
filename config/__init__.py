"""Platform: settings, app factory, database, money, audit log, auth helpers, errors, CLI."""
