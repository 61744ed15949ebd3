"""The kzplan Processing provider: one algorithm, and a setting for the kzplan executable."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from . import runner
from .algorithm import SETTING_EXE, ValidatePlanAlgorithm, ui_lang


class KzplanProvider(QgsProcessingProvider):
    """Provider ``kzplan``: "Validate plan (kzplan)"."""

    def id(self) -> str:
        return "kzplan"

    def name(self) -> str:
        return "kzplan"

    def longName(self) -> str:
        return "kzplan: Kon Tum 2030 industrial-land plan"

    def icon(self) -> QIcon:
        return QIcon(str(Path(__file__).with_name("icon.svg")))

    def load(self) -> bool:
        try:
            from processing.core.ProcessingConfig import ProcessingConfig, Setting
        except ImportError:  # pragma: no cover - processing is a core plugin
            ProcessingConfig = None
        if ProcessingConfig is not None:
            ProcessingConfig.settingIcons[self.name()] = self.icon()
            ProcessingConfig.addSetting(Setting(
                self.name(), SETTING_EXE, runner.tr("setting.exe", ui_lang()), "",
                valuetype=Setting.FILE))
            ProcessingConfig.readSettings()
        self.refreshAlgorithms()
        return True

    def unload(self) -> None:
        try:
            from processing.core.ProcessingConfig import ProcessingConfig
        except ImportError:  # pragma: no cover
            return
        ProcessingConfig.removeSetting(SETTING_EXE)

    def loadAlgorithms(self) -> None:
        self.addAlgorithm(ValidatePlanAlgorithm())
