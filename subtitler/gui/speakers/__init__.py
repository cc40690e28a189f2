"""Speakers in the editor: the Speech menu's labelling job, setting and renaming speakers, their colours."""
