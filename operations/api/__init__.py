"""The read-only JSON API (/api/v1/): DRF views over the pages' FilterSets, tables' sort keys and Figure type."""
