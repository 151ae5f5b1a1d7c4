"""Presenters: LaTeX derivations and plots."""
