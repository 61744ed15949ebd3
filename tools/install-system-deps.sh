#!/usr/bin/env bash
# Debian packages kzplan's tests drive for real: chromium (headless, for the HTML map) and QGIS
# (python3-qgis and qgis_process, headless, for the planner's loop). Idempotent; needs root.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v qgis_process >/dev/null 2>&1 || need+=(qgis qgis-providers)
/usr/bin/python3 -c "import qgis.core" >/dev/null 2>&1 || need+=(python3-qgis)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${need[@]}" fonts-dejavu-core >/dev/null
fi
echo "system packages ok: $(chromium --version 2>/dev/null | head -1); QGIS $(dpkg-query -W -f='${Version}' qgis 2>/dev/null)"
