"""kzplan Processing: "Validate plan (kzplan)" in QGIS's Processing toolbox.

The algorithm runs the ``kzplan`` command installed on the computer (QGIS's own Python needs
nothing extra), then loads the styled findings GeoPackage into the project.
"""


def classFactory(iface):
    """QGIS plugin entry point."""
    from .plugin import KzplanProcessingPlugin

    return KzplanProcessingPlugin(iface)
