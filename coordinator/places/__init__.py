"""The map of the subdistrict: communities, compounds, buildings, entrances, grids.

blueprint.py is the URL map; queries.py reads the map (staff see their own community, admins
all of it); services.py changes it.
"""
