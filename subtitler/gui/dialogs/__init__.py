"""Dialogs; every blocking question goes through a module-level function tests can replace."""
