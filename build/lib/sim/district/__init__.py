"""The district: its municipalities and offices, travel between them, working days and calendars."""
