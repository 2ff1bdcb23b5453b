"""The TF analytics API (contrail-analytics-api, port 8081) as plain data: alarms, UVEs, queries, rows.

Nothing here does I/O; clients/analytics.py fetches, the lab serves, services/ and commands/ render.
"""
