"""Attendance: check-in and check-out (the event's QR link, a code by SMS, the organiser's
roster), the hours served, their confirmation and corrections. The URL map is blueprint.py."""
