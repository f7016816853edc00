"""One module per resource: its serializers and its viewset (see sanqu/api/__init__.py)."""
