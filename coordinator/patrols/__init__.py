"""Grid patrols (网格巡查): a grid worker's daily round of the grid's compounds on a phone."""
