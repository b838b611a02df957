"""Career profiles: type codes, Holland indices, validity flags, occupation matching."""
