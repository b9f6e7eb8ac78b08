"""Service teams: who can do what, where, with how many hands.

blueprint.py is the URL map; queries.py reads teams (one scope rule, `visible`); services.py
changes them and says who may.
"""
