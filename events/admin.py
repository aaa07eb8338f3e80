"""Customer events are in the back office through `customers/admin.py` (CustomerEventAdmin):
their search goes through customers, and the events app does not import the customers app."""
