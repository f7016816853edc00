"""Bulletins (简报): numbered issues composed from news items and a figures panel, printed and sent."""
