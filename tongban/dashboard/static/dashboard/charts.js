/* Draws the dashboard charts from the json_script data (#dashboard-data) with the vendored ECharts.
   Without ECharts or JavaScript the tables under each chart stay open and carry the same numbers. */
(function () {
  "use strict";
  var FONT = '"PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei","Noto Sans CJK SC",sans-serif';
  var INK = "#1f2933", MUTED = "#5f6b7a", LINE = "#d9dee5";

  function coloured(spec) {
    return spec.values.map(function (value, i) {
      return { value: value, name: spec.labels[i], itemStyle: { color: spec.colours[i] } };
    });
  }

  function bar(spec) {
    return {
      grid: { left: 8, right: 8, top: 24, bottom: 8, containLabel: true },
      tooltip: { trigger: "item", formatter: "{b}：{c}" },
      xAxis: { type: "category", data: spec.labels, axisTick: { show: false },
               axisLabel: { color: INK, interval: 0, hideOverlap: false, fontSize: 12 } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { color: MUTED }, splitLine: { lineStyle: { color: LINE } } },
      series: [{ type: "bar", data: coloured(spec), barMaxWidth: 48,
                 label: { show: true, position: "top", color: INK, fontWeight: "bold" } }]
    };
  }

  function hbar(spec) {
    return {
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "item", formatter: "{b}：{c}" },
      xAxis: { type: "value", minInterval: 1, axisLabel: { color: MUTED }, splitLine: { lineStyle: { color: LINE } } },
      yAxis: { type: "category", data: spec.labels, inverse: true, axisTick: { show: false },
               axisLabel: { color: INK, width: spec.labelWidth, overflow: "truncate", fontSize: 12 } },
      series: [{ type: "bar", data: coloured(spec), barMaxWidth: 22,
                 label: { show: true, position: "right", color: INK, fontWeight: "bold" } }]
    };
  }

  function donut(spec) {
    var total = spec.values.reduce(function (a, b) { return a + b; }, 0);
    var counts = {};
    spec.labels.forEach(function (label, i) { counts[label] = spec.values[i]; });
    var data = coloured(spec).map(function (d) {
      d.label = { show: d.value > 0 };  // no label on an empty slice; the legend still lists it with 0
      d.labelLine = { show: d.value > 0 };
      return d;
    });
    return {
      tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
      legend: { bottom: 0, icon: "circle", itemGap: 12, textStyle: { color: INK },
                formatter: function (name) { return name + " " + counts[name]; } },
      title: { text: String(total), subtext: "合计", left: "center", top: "32%",
               textStyle: { fontSize: 26, color: INK }, subtextStyle: { color: MUTED } },
      series: [{ type: "pie", percentPrecision: 1, radius: ["44%", "66%"], center: ["50%", "43%"], stillShowZeroSum: true,
                 data: data, label: { formatter: "{d}%", color: INK }, labelLine: { length: 6, length2: 6 } }]
    };
  }

  var KINDS = { bar: bar, hbar: hbar, donut: donut };

  function optionFor(node, spec) {
    if (spec.kind === "hbar") {
      node.style.height = Math.max(160, 36 * spec.labels.length + 24) + "px";
      spec.labelWidth = Math.min(300, Math.round(node.clientWidth * 0.4));  // long item names are cut with …
    }
    var option = KINDS[spec.kind](spec);
    option.textStyle = { fontFamily: FONT };
    option.animationDuration = 300;
    return option;
  }

  function draw() {
    var source = document.getElementById("dashboard-data");
    if (!source || typeof window.echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var drawn = [];
    document.querySelectorAll("[data-chart]").forEach(function (node) {
      var spec = data[node.getAttribute("data-chart")];
      if (!spec || !KINDS[spec.kind]) return;
      node.classList.add("drawn", spec.kind);
      var chart = window.echarts.init(node, null, { renderer: "svg" });
      chart.setOption(optionFor(node, spec));
      drawn.push({ chart: chart, node: node, spec: spec });
    });
    // The charts now show the numbers; the tables stay one click away (and are read by screen readers).
    document.querySelectorAll("details.numbers").forEach(function (d) { d.open = false; });
    window.addEventListener("resize", function () {
      drawn.forEach(function (d) {
        if (d.spec.kind === "hbar") d.chart.setOption(optionFor(d.node, d.spec));
        d.chart.resize();
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
