"""The desk: the system of record for batches, cases, documents and decisions.

``config`` reads settings from the environment, ``db`` opens the database
(SQLite file by default, PostgreSQL by URL) and runs the Alembic migrations,
``models`` declares the tables, ``crypto`` encrypts personal data at rest,
``audit`` keeps the hash-chained log, ``workflow`` declares the case state
machine and ``authz`` who may do what; ``services`` holds the operations the
API and the CLI share.
"""
