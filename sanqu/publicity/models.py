"""Publicity (issue 8): the public news column on Wagtail pages, bulletins (简报), and the guard that keeps
spam and scripts off everything public."""
