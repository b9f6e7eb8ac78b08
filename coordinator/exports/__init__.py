"""Exports: the formula-safe CSV/XLSX writer every download uses (files.py), and the log of
full exports, where an admin who needs ID numbers unmasked says for what official purpose.

    from coordinator.exports.files import to_csv, to_xlsx, mask_id_number
    from coordinator.exports.services import log_full_export

blueprint.py is the URL map; queries.py reads the log; services.py writes it.
"""

from coordinator.exports import models  # noqa: F401
