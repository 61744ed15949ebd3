"""The "Validate plan (kzplan)" Processing algorithm (``kzplan:validateplan``)."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from qgis.core import (
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingOutputVectorLayer,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
    QgsProviderRegistry,
    QgsSettings,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QLocale

from . import runner

TAG_LAYER = "kzplan/layer"  # set on the plan layers of the kontum-2030 project
TAG_RUN = "kzplan/run"  # set on the findings layers this algorithm loads
SETTING_EXE = "KZPLAN_EXECUTABLE"


def ui_lang() -> str:
    """QGIS's interface language, as kzplan's ``vi`` or ``en``."""
    locale = QgsSettings().value("locale/userLocale", "") or QLocale().name()
    return "vi" if str(locale).lower().startswith("vi") else "en"


def _setting_exe() -> str | None:
    try:
        from processing.core.ProcessingConfig import ProcessingConfig
    except ImportError:  # pragma: no cover - the processing plugin is always there in QGIS
        return QgsSettings().value("kzplan/executable", "") or None
    value = ProcessingConfig.getSetting(SETTING_EXE)
    return value or QgsSettings().value("kzplan/executable", "") or None


def layer_source(layer) -> tuple[str | None, str | None]:
    """A layer's file and GeoPackage layer name, or (None, provider) when it is not a file."""
    provider = layer.providerType() if layer is not None else ""
    if provider not in ("ogr", "delimitedtext"):
        return None, provider
    parts = QgsProviderRegistry.instance().decodeUri(provider, layer.source())
    path = parts.get("path") or ""
    if not path:
        return None, provider
    return path, parts.get("layerName") or None


class ValidatePlanAlgorithm(QgsProcessingAlgorithm):
    """Run ``kzplan check`` on the plan the planner picks and load the findings."""

    INPUT = "INPUT"
    LAYERS = "LAYERS"
    AS_OF = "AS_OF"
    LANG = "LANG"
    DISTRICTS = "DISTRICTS"
    RUN_NAME = "RUN_NAME"
    OUTPUT = "OUTPUT"

    def __init__(self) -> None:
        super().__init__()
        self._lang = "vi"
        self._sources: list[str] = []
        self._districts: str | None = None
        self._run_name = "kzplan"
        self._output = ""
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._run: dict = {}

    # --- description ---------------------------------------------------------------------------
    def name(self) -> str:
        return "validateplan"

    def displayName(self) -> str:
        return runner.tr("alg.name", ui_lang())

    def group(self) -> str:
        return runner.tr("alg.group", ui_lang())

    def groupId(self) -> str:
        return "validation"

    def shortHelpString(self) -> str:
        lang = ui_lang()
        return runner.tr("alg.help", lang)

    def tags(self) -> list[str]:
        return ["kzplan", "validate", "check", "kiểm tra", "quy hoạch", "KCN", "CCN", "Kon Tum"]

    def createInstance(self) -> ValidatePlanAlgorithm:
        return ValidatePlanAlgorithm()

    def initAlgorithm(self, config=None) -> None:
        lang = ui_lang()
        self.addParameter(QgsProcessingParameterFile(
            self.INPUT, runner.tr("p.input", lang), behavior=QgsProcessingParameterFile.File,
            fileFilter="kzplan (*.toml *.zip *.gpkg *.shp *.geojson *.dbf);;All files (*)",
            optional=True))
        self.addParameter(QgsProcessingParameterMultipleLayers(
            self.LAYERS, runner.tr("p.layers", lang), QgsProcessing.TypeVector, optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.AS_OF, runner.tr("p.as_of", lang), QgsProcessingParameterNumber.Integer,
            optional=True, minValue=1990, maxValue=2100))
        self.addParameter(QgsProcessingParameterEnum(
            self.LANG, runner.tr("p.lang", lang), options=["Tiếng Việt (vi)", "English (en)"],
            defaultValue=0 if lang == "vi" else 1))
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.DISTRICTS, runner.tr("p.districts", lang),
            [QgsProcessing.TypeVectorPolygon], optional=True))
        run_name = QgsProcessingParameterString(self.RUN_NAME, runner.tr("p.run_name", lang),
                                                defaultValue="kzplan")
        run_name.setFlags(run_name.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(run_name)
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT, runner.tr("p.output", lang), fileFilter="GeoPackage (*.gpkg)"))
        self.addOutput(QgsProcessingOutputString("SUMMARY", runner.tr("o.summary", lang)))
        self.addOutput(QgsProcessingOutputNumber("ERRORS", runner.tr("o.errors", lang)))
        self.addOutput(QgsProcessingOutputNumber("WARNINGS", runner.tr("o.warnings", lang)))
        self.addOutput(QgsProcessingOutputNumber("INFOS", runner.tr("o.infos", lang)))
        self.addOutput(QgsProcessingOutputNumber("VALID", runner.tr("o.valid", lang)))
        self.addOutput(QgsProcessingOutputVectorLayer("FINDINGS", runner.tr("o.findings", lang)))
        self.addOutput(QgsProcessingOutputVectorLayer("FINDINGS_POINTS",
                                                      runner.tr("o.points", lang)))

    # --- running -------------------------------------------------------------------------------
    def _plan_layers(self, layers: list, feedback) -> list[tuple[str, str, str | None]]:
        out = []
        for layer in layers:
            path, extra = layer_source(layer)
            if path is None:
                raise QgsProcessingException(runner.tr("err.not_file", self._lang,
                                                       layer=layer.name(), provider=extra))
            name = runner.layer_name_for(path, layername=extra,
                                         tag=layer.customProperty(TAG_LAYER),
                                         title=layer.name())
            if name is None:
                raise QgsProcessingException(runner.tr("err.layer_name", self._lang,
                                                       layer=layer.name()))
            if isinstance(layer, QgsVectorLayer) and layer.isModified():
                feedback.reportError(runner.tr("warn.unsaved", self._lang, layer=layer.name()))
            out.append((name, path, extra))
        return out

    def prepareAlgorithm(self, parameters, context, feedback) -> bool:
        self._lang = runner.LANGS[self.parameterAsEnum(parameters, self.LANG, context)]
        self._run_name = self.parameterAsString(parameters, self.RUN_NAME, context) or "kzplan"
        self._output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        self._tmp = tempfile.TemporaryDirectory(prefix="kzplan-qgis-")
        plan_input = self.parameterAsFile(parameters, self.INPUT, context)
        layers = self.parameterAsLayerList(parameters, self.LAYERS, context)
        project = context.project()
        if not plan_input and not layers and project is not None:
            layers = [lyr for lyr in project.mapLayers().values()
                      if lyr.customProperty(TAG_LAYER)]
        sources = [plan_input] if plan_input else []
        plan_layers = self._plan_layers(layers, feedback)
        sources += runner.sources_args(plan_layers, self._tmp.name)
        if not sources:
            raise QgsProcessingException(runner.tr("err.nothing", self._lang))
        self._sources = sources
        districts = self.parameterAsVectorLayer(parameters, self.DISTRICTS, context)
        self._districts = None
        if districts is not None:
            path, extra = layer_source(districts)
            if path is None:
                raise QgsProcessingException(runner.tr("err.not_file", self._lang,
                                                       layer=districts.name(), provider=extra))
            if extra and extra.lower() != "districts":
                self._sources = [*runner.sources_args([("districts", path, extra)],
                                                      tempfile.mkdtemp(dir=self._tmp.name)),
                                 *self._sources]
            else:
                self._districts = path
        if project is not None:
            old = self._old_layers(project)
            for layer in old:
                if isinstance(layer, QgsVectorLayer) and layer.isModified():
                    raise QgsProcessingException(runner.tr("err.triage_unsaved", self._lang,
                                                           layer=layer.name()))
            if os.name == "nt" and old:
                # Windows cannot replace a file another program holds open: release it first
                project.removeMapLayers([layer.id() for layer in old])
        return True

    def processAlgorithm(self, parameters, context, feedback) -> dict:
        try:
            exe = runner.find_kzplan(_setting_exe())
        except runner.RunnerError as err:
            raise QgsProcessingException(str(err)) from None
        Path(self._output).parent.mkdir(parents=True, exist_ok=True)
        cmd = runner.command(exe, sources=self._sources, output=self._output, lang=self._lang,
                             as_of=self._as_of(parameters, context), districts=self._districts)
        feedback.pushCommandInfo(runner.tr("log.command", self._lang, command=" ".join(cmd)))
        started = time.time()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=runner.subprocess_env(self._lang), text=True,
                                encoding="utf-8", errors="replace",
                                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
        while True:
            try:
                out, err = proc.communicate(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                if feedback.isCanceled():
                    proc.kill()
                    proc.communicate()
                    return {}
        for line in (out + err).splitlines():
            if line.strip():
                feedback.pushConsoleInfo(line)
        written = Path(self._output)
        if proc.returncode not in (0, 1) or not written.exists() \
                or written.stat().st_mtime < started - 1:
            raise QgsProcessingException(runner.tr(
                "err.failed", self._lang, code=proc.returncode,
                message=runner.last_line(err) or runner.last_line(out)))
        self._run = runner.read_run(self._output)
        feedback.pushInfo(runner.verdict_line(self._run, self._lang))
        feedback.pushInfo(runner.tr("log.summary", self._lang))
        summary = json.dumps(self._run["summary"], ensure_ascii=False, indent=2)
        feedback.pushInfo(summary)
        return {
            self.OUTPUT: self._output,
            "SUMMARY": json.dumps(self._run["summary"], ensure_ascii=False),
            "ERRORS": self._run.get("errors"),
            "WARNINGS": self._run.get("warnings"),
            "INFOS": self._run.get("info"),
            "VALID": 1 if self._run.get("valid") else 0,
            "FINDINGS": f"{self._output}|layername={runner.FINDINGS_LAYER}",
            "FINDINGS_POINTS": f"{self._output}|layername={runner.POINTS_LAYER}",
        }

    def _as_of(self, parameters, context) -> int | None:
        if parameters.get(self.AS_OF) in (None, ""):
            return None
        return self.parameterAsInt(parameters, self.AS_OF, context) or None

    def _old_layers(self, project) -> list:
        """Findings layers of an earlier run of the same name, or reading the same file."""
        target = str(Path(self._output).resolve()) if self._output else None
        old = []
        for layer in project.mapLayers().values():
            if layer.customProperty(TAG_RUN) == self._run_name:
                old.append(layer)
                continue
            path, _ = layer_source(layer)
            if target and path and str(Path(path).resolve()) == target:
                old.append(layer)
        return old

    def postProcessAlgorithm(self, context, feedback) -> dict:
        project = context.project()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
        if project is None or not self._run:
            return {}
        old = self._old_layers(project)
        root = project.layerTreeRoot()
        title = runner.tr("group", self._lang, name=self._run_name)
        group = root.findGroup(title) or root.insertGroup(0, title)
        if old:
            project.removeMapLayers([layer.id() for layer in old])
        for table, key in ((runner.FINDINGS_LAYER, "layer.findings"),
                           (runner.POINTS_LAYER, "layer.points")):
            layer = QgsVectorLayer(f"{self._output}|layername={table}",
                                   runner.tr(key, self._lang), "ogr")
            if not layer.isValid():
                continue
            if table == runner.POINTS_LAYER and layer.featureCount() == 0:
                continue
            layer.setCustomProperty(TAG_RUN, self._run_name)
            project.addMapLayer(layer, False)
            group.addLayer(layer)
        return {}
