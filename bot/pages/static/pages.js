/* Gongdan pages: the interactive Gantt and the promise-KPI charts of /plan.
 *
 * The server embeds the data as JSON (#plan-data); times are the factory's
 * wall-clock in milliseconds read as UTC, and ECharts runs with useUTC, so the
 * axis shows the factory's clock on a phone set to any zone. Text from the
 * server is only ever put into the page with textContent.
 */
(function () {
  'use strict';
  var source = document.getElementById('plan-data');
  if (!source || typeof echarts === 'undefined') return;
  var D = JSON.parse(source.textContent);
  var T = D.t;
  var PALETTE = ['#4e79a7', '#59a14f', '#9c755f', '#76b7b2', '#edc948', '#b07aa1',
    '#ff9da7', '#86bcb6', '#8cd17d', '#499894'];
  var LATE = '#e15759', LATE_EDGE = '#8b0000', NOW = '#0b62d6';
  var HOUR = 3600e3, DAY = 24 * HOUR;

  function colour(ref) {
    var bytes = new TextEncoder().encode(ref), sum = 0;
    for (var i = 0; i < bytes.length; i++) sum += bytes[i];
    return PALETTE[sum % PALETTE.length];
  }
  function phone() { return window.innerWidth < 600; }
  function $(id) { return document.getElementById(id); }
  function node(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  // the Gantt ---------------------------------------------------------------------
  var box = $('gantt');
  var chart = echarts.init(box, null, {renderer: 'canvas'});
  var fOrder = $('f-order'), fCustomer = $('f-customer'), fWc = $('f-wc');
  var selected = null;
  // bars that overlap another on the same row (work already running when the plan was made)
  // get no label: two labels on top of each other read as neither
  var crowded = {};
  (function () {
    var byRow = {};
    D.bars.forEach(function (b, i) { (byRow[b[0]] = byRow[b[0]] || []).push(i); });
    Object.keys(byRow).forEach(function (r) {
      var list = byRow[r].sort(function (a, b) { return D.bars[a][1] - D.bars[b][1]; });
      var endMax = -Infinity, holder = -1;
      list.forEach(function (i) {
        if (D.bars[i][1] < endMax) { crowded[i] = true; if (holder >= 0) crowded[holder] = true; }
        if (D.bars[i][2] > endMax) { endMax = D.bars[i][2]; holder = i; }
      });
    });
  })();
  var shown = {bars: [], rows: []};

  function filters() {
    return {
      order: fOrder.value.trim().toUpperCase(),
      customer: fCustomer ? fCustomer.value : '',
      wc: fWc.value
    };
  }

  function visible() {
    var f = filters(), bars = [], used = {};
    D.bars.forEach(function (b, i) {
      var info = D.orders[b[3]], row = D.rows[b[0]];
      if (f.order && b[3].toUpperCase().indexOf(f.order) < 0) return;
      if (f.customer && info.customerCode !== f.customer) return;
      if (f.wc && row.wc !== f.wc) return;
      bars.push(i);
      used[b[0]] = true;
    });
    var rows = (f.order || f.customer || f.wc)
      ? Object.keys(used).map(Number).sort(function (a, b) { return a - b; })
      : D.rows.map(function (_, i) { return i; });
    return {bars: bars, rows: rows};
  }

  function initialWindow(bars) {
    var f = filters();
    if (f.order && bars.length) {  // show the order's whole run
      var lo = Infinity, hi = -Infinity;
      bars.forEach(function (i) { lo = Math.min(lo, D.bars[i][1]); hi = Math.max(hi, D.bars[i][2]); });
      var pad = Math.max(2 * HOUR, (hi - lo) * 0.08);
      return [Math.max(D.start, lo - pad), Math.min(D.end, hi + pad)];
    }
    var span = (phone() ? 2 : 7) * DAY;
    var start = Math.max(D.start, D.now - 3 * HOUR);
    var first = Infinity;  // nothing to do in the first days: open where the work starts
    bars.forEach(function (i) { if (D.bars[i][2] > start) first = Math.min(first, D.bars[i][1]); });
    if (first !== Infinity && first > start + span / 2) start = Math.max(D.start, first - 3 * HOUR);
    return [start, Math.min(D.end, start + span)];
  }

  function renderBar(params, api) {
    var row = api.value(0);
    var s = api.coord([api.value(1), row]), e = api.coord([api.value(2), row]);
    var h = api.size([0, 1])[1] * 0.68;
    var cs = params.coordSys;
    var shape = echarts.graphic.clipRectByRect(
      {x: s[0], y: s[1] - h / 2, width: Math.max(2, e[0] - s[0]), height: h},
      {x: cs.x, y: cs.y, width: cs.width, height: cs.height});
    if (!shape) return;
    var index = api.value(3), b = D.bars[index];
    var late = D.orders[b[3]].late, mark = selected === b[3];
    var item = {
      type: 'rect', shape: shape,
      style: {
        fill: late ? LATE : colour(b[3]),
        stroke: mark ? '#111' : (late ? LATE_EDGE : '#fff'),
        lineWidth: mark ? 2.5 : 1
      }
    };
    if (shape.width > 46 && !crowded[index]) {
      item.textContent = {style: {text: b[3], fill: '#fff', fontSize: 10, overflow: 'truncate',
        width: shape.width - 6}};
      item.textConfig = {position: 'inside'};
    }
    return item;
  }

  function renderNow(params, api) {
    var x = api.coord([api.value(0), 0])[0], cs = params.coordSys;
    if (x < cs.x || x > cs.x + cs.width) return;
    return {type: 'group', silent: true, children: [
      {type: 'line', shape: {x1: x, y1: cs.y, x2: x, y2: cs.y + cs.height},
        style: {stroke: NOW, lineWidth: 2}},
      {type: 'text', x: x + 3, y: cs.y + cs.height + 4,
        style: {text: T.now, fill: NOW, fontSize: 11, fontWeight: 'bold'}}
    ]};
  }

  function draw(keepZoom) {
    var v = visible();
    shown = v;
    var pos = {};
    v.rows.forEach(function (r, i) { pos[r] = i; });
    var labelW = phone() ? 84 : 170, rowH = phone() ? 28 : 24;
    box.style.height = Math.max(170, v.rows.length * rowH + 84) + 'px';
    chart.resize();
    var range = initialWindow(v.bars);
    if (keepZoom) {
      var z = chart.getOption() && chart.getOption().dataZoom;
      if (z && z[0] && z[0].startValue !== undefined) range = [z[0].startValue, z[0].endValue];
    }
    var nothing = $('gantt-empty');
    if (!v.bars.length) {
      if (!nothing) {
        nothing = node('p', T.nothing, 'note');
        nothing.id = 'gantt-empty';
        box.parentNode.insertBefore(nothing, box);
      }
    } else if (nothing) {
      nothing.remove();
    }
    chart.setOption({
      useUTC: true,
      animation: false,
      grid: {left: labelW, right: 12, top: 30, bottom: 52},
      xAxis: {
        type: 'time', position: 'top', min: D.start, max: D.end,
        axisLabel: {hideOverlap: true, fontSize: 11,
          formatter: {year: '{yyyy}', month: '{MM}-{dd}', day: '{MM}-{dd}',
            hour: '{HH}:{mm}', minute: '{HH}:{mm}'}},
        splitLine: {show: true, lineStyle: {color: '#eef0f2'}}
      },
      yAxis: {
        type: 'category', inverse: true,
        data: v.rows.map(function (r) { return D.rows[r].label; }),
        axisTick: {show: false},
        axisLabel: {width: labelW - 10, overflow: 'truncate', fontSize: 11, color: '#333'},
        splitLine: {show: true, lineStyle: {color: '#f3f4f6'}}
      },
      dataZoom: [
        {type: 'inside', xAxisIndex: 0, filterMode: 'weakFilter', startValue: range[0],
          endValue: range[1], minValueSpan: 2 * HOUR, zoomOnMouseWheel: true,
          moveOnMouseWheel: false, preventDefaultMouseMove: false},
        {type: 'slider', xAxisIndex: 0, filterMode: 'weakFilter', startValue: range[0],
          endValue: range[1], height: 22, bottom: 10, showDetail: false, brushSelect: false}
      ],
      series: [
        {type: 'custom', name: 'ops', renderItem: renderBar, clip: true,
          encode: {x: [1, 2], y: 0},
          data: v.bars.map(function (i) {
            var b = D.bars[i];
            return {value: [pos[b[0]], b[1], b[2], i]};
          })},
        {type: 'custom', name: 'now', renderItem: renderNow, silent: true, z: 10,
          encode: {x: 0}, data: [[D.now]]}
      ]
    }, true);
  }

  function show(index) {
    var b = D.bars[index], info = D.orders[b[3]], row = D.rows[b[0]];
    selected = b[3];
    var panel = $('bar-info');
    panel.textContent = '';
    var close = node('button', '×', 'x');
    close.setAttribute('aria-label', T.close);
    close.addEventListener('click', function () { panel.hidden = true; selected = null; draw(true); });
    panel.appendChild(close);
    var title = node('h3');
    title.appendChild(node('span', b[3] + ' '));
    title.appendChild(node('span', info.late ? T.late_word : T.on_time_word,
      info.late ? 'badge late' : 'badge ok'));
    panel.appendChild(title);
    var lines = [
      [T.product, info.product + ' ×' + info.qty],
      [T.customer, info.customer],
      [T.operation, b[4]],
      [T.machine, row.label === row.wcName ? row.wcName : row.wcName + ' · ' + row.label],
      [T.start, b[5]], [T.end, b[6]],
      [T.eta, info.eta + ' · ' + T.due + ' ' + info.due]
    ];
    lines.forEach(function (l) {
      var p = node('div');
      p.appendChild(node('span', l[0] + '：', 'note'));
      p.appendChild(node('span', l[1]));
      panel.appendChild(p);
    });
    var a = node('a', T.open_order + ' →');
    a.href = info.href;
    a.id = 'bar-order-link';
    var p = node('div');
    p.style.marginTop = '6px';
    p.appendChild(a);
    panel.appendChild(p);
    panel.dataset.order = b[3];
    panel.hidden = false;
    draw(true);
  }

  chart.on('click', {seriesIndex: 0}, function (p) { show(p.value[3]); });

  function remember() {
    var url = new URL(window.location.href);
    var f = filters();
    ['order', 'customer', 'wc'].forEach(function (k) {
      if (f[k]) url.searchParams.set(k, k === 'order' ? fOrder.value.trim() : f[k]);
      else url.searchParams.delete(k);
    });
    window.history.replaceState(null, '', url.toString());
  }
  function changed() { remember(); draw(false); }
  fOrder.addEventListener('change', changed);
  fOrder.addEventListener('input', function () {
    if (!fOrder.value || D.orders[fOrder.value.trim().toUpperCase()]) changed();
  });
  if (fCustomer) fCustomer.addEventListener('change', changed);
  fWc.addEventListener('change', changed);
  $('f-clear').addEventListener('click', function () {
    fOrder.value = '';
    if (fCustomer) fCustomer.value = '';
    fWc.value = '';
    changed();
  });

  draw(false);

  // for tests and for a screen reader's "find": where each drawn bar is on the page
  window.planGantt = {
    chart: chart,
    bars: function () {
      var rect = box.getBoundingClientRect(), out = [];
      var grid = chart.getModel().getComponent('grid').coordinateSystem.getRect();
      shown.bars.forEach(function (i, k) {
        var b = D.bars[i], row = shown.rows.indexOf(b[0]);
        var a = chart.convertToPixel({seriesIndex: 0}, [Math.max(b[1], D.start), row]);
        var e = chart.convertToPixel({seriesIndex: 0}, [b[2], row]);
        var left = Math.max(a[0], grid.x), right = Math.min(e[0], grid.x + grid.width);
        if (right - left < 3) return;
        out.push({ref: b[3], late: D.orders[b[3]].late, index: k,
          x: rect.left + (left + right) / 2, y: rect.top + a[1]});
      });
      return out;
    }
  };

  // promise KPIs over plan versions ---------------------------------------------------
  var charts = [chart];
  if (D.trend && $('kpi-trend')) {
    var trend = echarts.init($('kpi-trend'));
    trend.setOption({
      animation: false,
      tooltip: {trigger: 'axis', valueFormatter: function (v) { return v == null ? '-' : v + '%'; }},
      legend: {top: 4, itemWidth: 14, textStyle: {fontSize: 11}},
      grid: {left: 44, right: 14, top: 36, bottom: 28},
      xAxis: {type: 'category', data: D.trend.versions, axisLabel: {fontSize: 10, hideOverlap: true}},
      yAxis: {type: 'value', min: 0, max: 100, axisLabel: {formatter: '{value}%', fontSize: 10}},
      series: [
        {name: T.on_time, type: 'line', data: D.trend.onTime, connectNulls: true,
          itemStyle: {color: '#4e79a7'}},
        {name: T.kept, type: 'line', data: D.trend.kept, connectNulls: true,
          itemStyle: {color: '#59a14f'}}
      ]
    });
    var moves = echarts.init($('eta-moves'));
    moves.setOption({
      animation: false,
      tooltip: {trigger: 'axis'},
      legend: {top: 4, itemWidth: 14, textStyle: {fontSize: 11}},
      grid: {left: 40, right: 40, top: 36, bottom: 28},
      xAxis: {type: 'category', data: D.trend.versions, axisLabel: {fontSize: 10, hideOverlap: true}},
      yAxis: [{type: 'value', minInterval: 1, axisLabel: {fontSize: 10}},
        {type: 'value', axisLabel: {fontSize: 10}, splitLine: {show: false}}],
      series: [
        {name: T.moved_bar, type: 'bar', data: D.trend.moved, itemStyle: {color: '#edc948'}},
        {name: T.lead, type: 'line', yAxisIndex: 1, data: D.trend.lead, connectNulls: true,
          itemStyle: {color: '#9c755f'}}
      ]
    });
    charts.push(trend, moves);
  }

  var lastWidth = window.innerWidth;
  window.addEventListener('resize', function () {
    if (phone() !== (lastWidth < 600)) draw(true);
    lastWidth = window.innerWidth;
    charts.forEach(function (c) { c.resize(); });
  });
})();
