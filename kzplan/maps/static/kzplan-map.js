/*
 * kzplan official map: draws the plan's layers, finding marks, legend, summary panel and search
 * from the escaped JSON that kzplan/maps.py embeds in the page. All text (names, messages,
 * labels) is data and is placed with textContent, never as markup. MIT licence, part of kzplan.
 */
(function (global) {
  'use strict';

  var SVG_NS = 'http://www.w3.org/2000/svg';
  var RING = { error: 9, warning: 12, info: 15 };

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  /* Vietnamese-aware folding for search: NFD, drop combining marks, đ -> d, lower case. */
  function fold(text) {
    return String(text || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '')
      .replace(/\u0111/g, 'd').replace(/\u0110/g, 'D').toLowerCase()
      .replace(/\s+/g, ' ').trim();
  }

  function findingList(items, t) {
    var list = el('ul', 'kz-findings');
    items.forEach(function (f) {
      var li = el('li', 'kz-sev-' + f.s);
      li.appendChild(el('span', 'kz-badge kz-bg-' + f.s, f.l));
      li.appendChild(el('span', 'kz-msg', f.m));
      if (f.x) { li.appendChild(el('div', 'kz-fix', t.fix + ' ' + f.x)); }
      if (f.b) { li.appendChild(el('div', 'kz-basis', f.b)); }
      list.appendChild(li);
    });
    return list;
  }

  function featurePopup(p, t) {
    var root = el('div', 'kz-popup');
    root.appendChild(el('div', 'kz-pop-sub', p.sub));
    root.appendChild(el('h3', 'kz-pop-title', p.h));
    (p.notes || []).forEach(function (n) { root.appendChild(el('p', 'kz-note', n)); });
    /* the findings first: they are what the map is for; then every attribute */
    root.appendChild(el('h4', 'kz-pop-findings', p.fh));
    if (p.f && p.f.length) {
      root.appendChild(findingList(p.f, t));
    } else {
      root.appendChild(el('p', 'kz-none', t.noFindings));
    }
    var table = el('table', 'kz-attrs');
    (p.rows || []).forEach(function (r) {
      var tr = el('tr');
      tr.appendChild(el('th', null, r[0]));
      tr.appendChild(el('td', null, r[1]));
      table.appendChild(tr);
    });
    root.appendChild(table);
    return root;
  }

  function markPopup(p, t) {
    var root = el('div', 'kz-popup');
    root.appendChild(el('h3', 'kz-pop-title', p.h));
    root.appendChild(findingList(p.f || [], t));
    return root;
  }

  function swatch(item) {
    var s = item.style || {};
    var svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('width', '26');
    svg.setAttribute('height', '16');
    svg.setAttribute('class', 'kz-swatch');
    var shape;
    if (item.shape === 'dot' || item.shape === 'ring') {
      shape = document.createElementNS(SVG_NS, 'circle');
      shape.setAttribute('cx', '13');
      shape.setAttribute('cy', '8');
      shape.setAttribute('r', item.shape === 'dot' ? '4.5' : '6');
    } else if (item.shape === 'line') {
      shape = document.createElementNS(SVG_NS, 'line');
      shape.setAttribute('x1', '2'); shape.setAttribute('y1', '8');
      shape.setAttribute('x2', '24'); shape.setAttribute('y2', '8');
    } else {
      shape = document.createElementNS(SVG_NS, 'rect');
      shape.setAttribute('x', '2'); shape.setAttribute('y', '2');
      shape.setAttribute('width', '22'); shape.setAttribute('height', '12');
    }
    var filled = s.fill !== false && item.shape !== 'line' && item.shape !== 'ring';
    shape.setAttribute('fill', filled ? (s.fillColor || s.color || '#888') : 'none');
    shape.setAttribute('fill-opacity', filled ? String(s.fillOpacity === undefined ? 0.5 : s.fillOpacity) : '0');
    shape.setAttribute('stroke', s.color || '#333');
    shape.setAttribute('stroke-width', String(Math.min(s.weight || 1.5, 3)));
    if (s.dashArray) { shape.setAttribute('stroke-dasharray', s.dashArray); }
    svg.appendChild(shape);
    return svg;
  }

  function control(position, build) {
    var Ctl = L.Control.extend({
      options: { position: position },
      onAdd: function () {
        var div = build();
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      }
    });
    return new Ctl();
  }

  function collapsible(cls, title, body, open, toggleTitle) {
    var box = el('div', 'leaflet-control kz-box ' + cls + (open ? '' : ' kz-closed'));
    var head = el('button', 'kz-box-head');
    head.type = 'button';
    head.title = toggleTitle || title;
    head.setAttribute('aria-expanded', open ? 'true' : 'false');
    head.appendChild(el('span', 'kz-box-title', title));
    head.appendChild(el('span', 'kz-box-arrow'));
    head.addEventListener('click', function () {
      var closed = box.classList.toggle('kz-closed');
      head.setAttribute('aria-expanded', closed ? 'false' : 'true');
    });
    box.appendChild(head);
    body.classList.add('kz-box-body');
    box.appendChild(body);
    return box;
  }

  function buildLegend(sections, t) {
    var body = el('div');
    sections.forEach(function (sec) {
      if (sec.title) { body.appendChild(el('div', 'kz-leg-title', sec.title)); }
      var holder = sec.inline ? body.appendChild(el('div', 'kz-leg-inline')) : body;
      sec.items.forEach(function (item) {
        var row = el('div', 'kz-leg-item');
        row.appendChild(swatch(item));
        row.appendChild(el('span', null, item.label));
        holder.appendChild(row);
      });
    });
    return collapsible('kz-legend', t.legend, body, true);
  }

  function buildTable(spec) {
    var table = el('table', 'kz-table');
    var head = el('tr');
    spec.head.forEach(function (h, i) {
      head.appendChild(el('th', spec.numeric[i] ? 'kz-num' : null, h));
    });
    table.appendChild(head);
    spec.rows.forEach(function (row) {
      var tr = el('tr');
      row.forEach(function (cell, i) {
        var cls = (spec.numeric[i] ? 'kz-num' : '') + (cell[1] ? ' kz-' + cell[1] : '');
        tr.appendChild(el('td', cls.trim() || null, cell[0]));
      });
      table.appendChild(tr);
    });
    return table;
  }

  function buildSummary(s, t) {
    var body = el('div');
    body.appendChild(el('div', 'kz-sum-sub', s.subtitle));
    body.appendChild(el('p', 'kz-verdict ' + (s.valid ? 'kz-ok' : 'kz-bad'), s.verdict));
    s.sections.forEach(function (sec) {
      body.appendChild(el('h4', null, sec.title));
      if (sec.table) { body.appendChild(buildTable(sec.table)); }
      (sec.lines || []).forEach(function (line) { body.appendChild(el('p', 'kz-line', line)); });
      if (sec.findings) { body.appendChild(findingList(sec.findings, t)); }
    });
    (s.footer || []).forEach(function (line) { body.appendChild(el('p', 'kz-footer', line)); });
    var box = collapsible('kz-summary', s.title, body, global.innerWidth > 700, t.toggle);
    return box;
  }

  function buildSearch(state, t) {
    var box = el('div', 'leaflet-control kz-search');
    var input = el('input', 'kz-search-input');
    input.type = 'search';
    input.placeholder = t.search;
    input.title = t.searchHint;
    input.setAttribute('aria-label', t.search);
    var list = el('ul', 'kz-search-results');
    box.appendChild(input);
    box.appendChild(list);
    var hits = [];
    function show() {
      var tokens = fold(input.value).split(' ').filter(Boolean);
      list.textContent = '';
      hits = [];
      if (!tokens.length) { return; }
      hits = state.index.filter(function (item) {
        return tokens.every(function (tok) { return item.q.indexOf(tok) >= 0; });
      }).slice(0, 8);
      if (!hits.length) { list.appendChild(el('li', 'kz-search-none', t.searchNone)); }
      hits.forEach(function (item) {
        var li = el('li', 'kz-search-hit');
        var btn = el('button', null);
        btn.type = 'button';
        btn.appendChild(el('span', 'kz-hit-name', item.n));
        btn.appendChild(el('span', 'kz-hit-sub', item.d));
        btn.addEventListener('click', function () { select(item); });
        li.appendChild(btn);
        list.appendChild(li);
      });
    }
    function select(item) {
      list.textContent = '';
      input.value = item.n;
      state.focus(item.id);
    }
    input.addEventListener('input', show);
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && hits.length) { select(hits[0]); }
      if (e.key === 'Escape') { input.value = ''; list.textContent = ''; }
    });
    return box;
  }

  function degrees(deg, hemi) {
    var a = Math.abs(deg), d = Math.floor(a + 1e-9), m = Math.round((a - d) * 60);
    return d + '\u00b0' + (m ? (m < 10 ? '0' : '') + m + '\u2032' : '') + hemi;
  }

  /* a longitude/latitude grid for maps without a basemap */
  function graticule(map, group, g) {
    var b = g.bounds, step = g.step, lat, lon;
    var style = { color: '#9e9e9e', weight: 1, opacity: 0.7, dashArray: '2 4', interactive: false,
                  className: 'kz-grat' };
    for (lat = b[0]; lat <= b[2] + 1e-9; lat += step) {
      group.addLayer(L.polyline([[lat, b[1]], [lat, b[3]]], style));
    }
    for (lon = b[1]; lon <= b[3] + 1e-9; lon += step) {
      group.addLayer(L.polyline([[b[0], lon], [b[2], lon]], style));
    }
  }

  /* the grid's labels, kept along the visible top and left edges of the map */
  function graticuleLabels(map, group, g, leftPad) {
    var layer = L.layerGroup().addTo(group);
    function marker(latlng, text, cls) {
      return L.marker(latlng, { interactive: false, keyboard: false,
        icon: L.divIcon({ className: 'kz-grat-label ' + cls, html: el('span', null, text),
                          iconSize: null }) });
    }
    return function () {
      layer.clearLayers();
      var view = map.getBounds(), step = g.step, b = g.bounds, lat, lon;
      var topLat = map.containerPointToLatLng([0, 6]).lat;
      var leftLng = map.containerPointToLatLng([leftPad() + 4, 0]).lng;
      for (lon = b[1]; lon <= b[3] + 1e-9; lon += step) {
        if (lon > leftLng && lon < view.getEast()) {
          layer.addLayer(marker([topLat, lon], degrees(lon, lon >= 0 ? 'E' : 'W'), 'kz-grat-lon'));
        }
      }
      for (lat = b[0]; lat <= b[2] + 1e-9; lat += step) {
        if (lat > view.getSouth() && lat < view.getNorth()) {
          layer.addLayer(marker([lat, leftLng], degrees(lat, lat >= 0 ? 'N' : 'S'), 'kz-grat-lat'));
        }
      }
    };
  }

  function init(map, groups, dataId) {
    var data = JSON.parse(document.getElementById(dataId).textContent);
    var t = data.t;
    var state = { map: map, groups: groups, byId: {}, index: data.search, data: data };
    var container = map.getContainer();
    container.classList.add('kz-map');
    if (data.offline) { container.classList.add('kz-offline'); }

    function popupOptions() {
      var h = map.getSize().y;
      return { maxWidth: 420, minWidth: 260, maxHeight: Math.max(220, Math.min(560, h - 140)),
               autoPanPadding: [30, 30] };
    }

    function bindFeature(layer, p) {
      layer.bindTooltip(function () { return el('span', null, p.tt); }, { sticky: true });
      layer.bindPopup(function () { return featurePopup(p, t); }, popupOptions());
    }

    var summary = buildSummary(data.summary, t);
    var dotGroups = [];
    var zoomed = [];
    data.layers.forEach(function (spec) {
      var group = groups[spec.key];
      var dots = L.featureGroup();
      var labels = L.layerGroup();
      var gj = L.geoJSON(spec.fc, {
        style: function (f) {
          var s = L.extend({}, spec.styles[f.properties.k] || spec.styles._);
          if (f.properties.sch) { s.dashArray = '5 4'; }
          s.className = 'kz-f kz-' + spec.key;
          return s;
        },
        pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 5 }); },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          bindFeature(layer, p);
          state.byId[p.id] = { layer: layer, group: group, props: p };
          if (spec.dots && p.pt) {
            var s = spec.styles[p.k] || spec.styles._;
            var dot = L.circleMarker(p.pt, { radius: 5, color: s.color, weight: 1.5,
              fillColor: s.fillColor, fillOpacity: 1, className: 'kz-dot kz-' + spec.key + '-dot' });
            bindFeature(dot, p);
            dots.addLayer(dot);
          }
          if (p.lbl && p.pt) {
            labels.addLayer(L.marker(p.pt, { interactive: false, keyboard: false,
              icon: L.divIcon({ className: 'kz-district-label', html: el('span', null, p.lbl),
                                iconSize: null }) }));
          }
        }
      });
      if (spec.minZoom) {
        /* many small features (lots): drawn only when zoomed in, so the page stays light */
        zoomed.push([group, gj, spec.minZoom]);
      } else {
        group.addLayer(gj);
      }
      if (spec.outline) {
        group.addLayer(L.geoJSON(spec.outline, { interactive: false,
          style: L.extend({ className: 'kz-province' }, spec.styles.province) }));
      }
      if (spec.dots) { group.addLayer(dots); dotGroups.push([group, dots]); }
      group.addLayer(labels);
    });

    data.findings.forEach(function (sev) {
      var group = groups['findings_' + sev.severity];
      var cls = 'kz-mark kz-mark-' + sev.severity;
      function markStyle(p) {
        if (p.m === 'ring') {
          /* a ring around the feature's dot, one size per severity so that an error ring and
             a warning ring on the same feature are both seen; its inside is clickable */
          return { radius: RING[sev.severity] || 10, color: sev.colour, weight: 3, fill: true,
                   fillColor: sev.colour, fillOpacity: 0, className: cls };
        }
        if (p.m === 'point') {
          return { radius: 6, color: '#ffffff', weight: 1.5, fill: true, fillColor: sev.colour,
                   fillOpacity: 0.95, className: cls };
        }
        return { color: sev.colour, weight: 3, dashArray: '6 4', fill: !!p.fill,
                 fillColor: sev.colour, fillOpacity: 0.3, className: cls };
      }
      L.geoJSON(sev.fc, {
        pointToLayer: function (f, latlng) {
          var ref = state.byId[f.properties.ref];
          if (f.properties.m === 'outline' && ref && ref.layer.getLatLngs) {
            /* the whole district: its own outline, re-drawn from the district layer */
            return L.polygon(ref.layer.getLatLngs());
          }
          return L.circleMarker(latlng);
        },
        style: function (f) { return markStyle(f.properties); },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          var ref = p.ref && state.byId[p.ref];
          if ((p.m === 'ring' || p.m === 'outline') && ref) {
            bindFeature(layer, ref.props);
          } else {
            layer.bindTooltip(function () { return el('span', null, p.f[0].m); }, { sticky: true });
            layer.bindPopup(function () { return markPopup(p, t); }, popupOptions());
          }
        }
      }).addTo(group);
    });

    if (data.graticule && groups.graticule) { graticule(map, groups.graticule, data.graticule); }

    function updateDots() {
      var show = map.getZoom() < 13;
      dotGroups.forEach(function (pair) {
        var has = pair[0].hasLayer(pair[1]);
        if (show && !has) { pair[0].addLayer(pair[1]); }
        if (!show && has) { pair[0].removeLayer(pair[1]); }
      });
    }
    map.on('zoomend', updateDots);
    function updateZoomed() {
      zoomed.forEach(function (z) {
        var show = map.getZoom() >= z[2], has = z[0].hasLayer(z[1]);
        if (show && !has) { z[0].addLayer(z[1]); }
        if (!show && has) { z[0].removeLayer(z[1]); }
      });
    }
    map.on('zoomend', updateZoomed);
    updateZoomed();

    /* how much of the map's left side the summary panel covers */
    function leftPad() {
      var open = container.clientWidth > 900 && !summary.classList.contains('kz-closed');
      return open ? summary.offsetWidth + 30 : 20;
    }

    state.focus = function (id) {
      var entry = state.byId[id];
      if (!entry) { return; }
      if (!map.hasLayer(entry.group)) { map.addLayer(entry.group); }
      var bounds = entry.layer.getBounds ? entry.layer.getBounds() : null;
      if (bounds && bounds.isValid()) {
        map.fitBounds(bounds, { maxZoom: 14, animate: false, paddingTopLeft: [leftPad(), 20],
                                paddingBottomRight: [20, 20] });
      }
      updateDots();
      entry.layer.openPopup(entry.props.pt ? L.latLng(entry.props.pt) : undefined);
    };

    /* layout: summary top left; search, zoom, full screen, measure, layers top right;
       legend, scale, attribution bottom right */
    control('topleft', function () { return summary; }).addTo(map);
    control('topright', function () { return buildSearch(state, t); }).addTo(map);
    if (map.zoomControl) { map.zoomControl.setPosition('topright'); }
    if (L.control.fullscreen) {
      L.control.fullscreen({ position: 'topright', title: t.fullscreen,
                             titleCancel: t.fullscreenExit, forceSeparateButton: true }).addTo(map);
    }
    if (L.Control.Measure) {
      /* leaflet-measure 3.1 with Leaflet >= 1.8: ljagis/leaflet-measure#171 */
      L.Control.Measure.include({
        _setCaptureMarkerIcon: function () {
          this._captureMarker.options.autoPanOnFocus = false;
          this._captureMarker.setIcon(L.divIcon({ iconSize: this._map.getSize().multiplyBy(2) }));
        }
      });
      var vi = data.lang === 'vi';
      new L.Control.Measure({
        position: 'topright', primaryLengthUnit: 'meters', secondaryLengthUnit: 'kilometers',
        primaryAreaUnit: 'hectares', secondaryAreaUnit: 'sqmeters',
        decPoint: vi ? ',' : '.', thousandsSep: vi ? '.' : ',',
        activeColor: '#e6550d', completedColor: '#a63603',
        units: {
          meters: { factor: 1, display: t.m, decimals: 0 },
          kilometers: { factor: 0.001, display: t.km, decimals: 2 },
          hectares: { factor: 0.0001, display: t.ha, decimals: 2 },
          sqmeters: { factor: 1, display: t.m2, decimals: 0 }
        }
      }).addTo(map);
    }
    L.control.scale({ imperial: false, maxWidth: 160, position: 'bottomright' }).addTo(map);
    var legendBox = buildLegend(data.legend, t);
    control('bottomright', function () { return legendBox; }).addTo(map);
    map.attributionControl.addAttribution('kzplan');

    var wide = container.clientWidth > 900;
    var right = wide ? legendBox.offsetWidth + 30 : 20;
    map.fitBounds(data.bounds, { paddingTopLeft: [leftPad(), 20],
                                 paddingBottomRight: [right, 20], animate: false });
    if (data.graticule && groups.graticule) {
      var labels = graticuleLabels(map, groups.graticule, data.graticule, leftPad);
      map.on('moveend zoomend', labels);
      labels();
    }
    updateDots();
    /* The layer control (added after this script) starts open when it fits above the legend. */
    global.setTimeout(function () {
      var layers = container.querySelector('.leaflet-control-layers');
      if (!layers) { return; }
      layers.classList.add('leaflet-control-layers-expanded');
      var legendTop = legendBox.getBoundingClientRect().top;
      if (layers.getBoundingClientRect().bottom + 8 > legendTop) {
        layers.classList.remove('leaflet-control-layers-expanded');
      }
    }, 0);
    global.kzplan = state;
    (global.kzplanMaps = global.kzplanMaps || []).push(state);
    return state;
  }

  global.kzplanMap = { init: init, fold: fold };
}(window));
