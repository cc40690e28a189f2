"""Word alignment in the editor: re-align the words of the current cue or the selection on a worker thread."""
