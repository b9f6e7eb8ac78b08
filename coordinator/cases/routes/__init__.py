"""The cases' views by concern (intake, board, case_page, jobs, tracking); the URL map that
names them is coordinator/cases/blueprint.py."""
