"""A tiny async shop service: an HTTP API over a SQL database, S3 and a payment provider."""
