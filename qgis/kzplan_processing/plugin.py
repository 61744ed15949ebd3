"""The QGIS plugin object: registers the kzplan Processing provider."""

from __future__ import annotations

from qgis.core import QgsApplication

from .provider import KzplanProvider


class KzplanProcessingPlugin:
    """Adds "Validate plan (kzplan)" to the Processing toolbox (and to ``qgis_process``)."""

    def __init__(self, iface=None) -> None:
        self.iface = iface
        self.provider: KzplanProvider | None = None

    def initProcessing(self) -> None:
        """Called by QGIS and by ``qgis_process`` (``hasProcessingProvider=yes``)."""
        if self.provider is None:
            self.provider = KzplanProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self) -> None:
        self.initProcessing()

    def unload(self) -> None:
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
