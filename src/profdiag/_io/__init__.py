"""Reading response tables and writing score tables."""

from profdiag._io.score_table import score_table
from profdiag._io.tables import Table, read_table, write_table

__all__ = ["Table", "read_table", "score_table", "write_table"]
