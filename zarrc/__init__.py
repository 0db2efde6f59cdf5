"""zarrc (being assembled)."""
