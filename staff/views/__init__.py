"""The staff web app: Django templates and HTMX, every page for signed-in staff only."""
