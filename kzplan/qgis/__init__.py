"""Shared QGIS helpers: styles (QML / SLD) written without QGIS, so ``kzplan`` can style its own
outputs, and the ``layer_styles`` table QGIS reads a GeoPackage's default styles from.

Nothing here imports QGIS: kzplan runs in its own Python, QGIS in the system's. The styles are
checked against real QGIS by ``tests/test_qgis.py``.
"""

from __future__ import annotations

from kzplan.qgis.styles import findings_qml, findings_sld, write_layer_styles

__all__ = ["findings_qml", "findings_sld", "write_layer_styles"]
