"""One module per ``nas`` sub-command."""
