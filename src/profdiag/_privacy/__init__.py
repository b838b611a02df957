"""Pseudonymised research exports (152-ФЗ): keys, keyed pseudonyms, direct identifiers."""

from profdiag._privacy.export import Pseudonymised, pseudonymise
from profdiag._privacy.identifiers import looks_like_direct_identifier
from profdiag._privacy.keys import generate_key, read_key

__all__ = [
    "Pseudonymised",
    "generate_key",
    "looks_like_direct_identifier",
    "pseudonymise",
    "read_key",
]
