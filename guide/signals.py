from django.dispatch import Signal

# Sent inside the publishing transaction with `edition`, once its snapshot rows exist.
edition_published = Signal()
