"""The on-disk cache: ``store`` (files, keys, packs), ``schema`` (the checked shape of every entry),
``summaries`` (per-file summaries and results) and ``plans`` (per-file confirmation plans)."""
