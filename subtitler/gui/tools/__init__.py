"""Editing tools of the window: go to, find/replace, spell check, QC panel, timing tools, cue fields, context menus."""
