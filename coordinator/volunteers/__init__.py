"""Volunteers: joining as one, a volunteer's own events and hours, and the service records of
the office with their files. The URL map is blueprint.py."""
