// crmgov: the plan's charts. Data comes from json_script elements; labels are already translated.
(function () {
  "use strict";

  function readData(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function start(container) {
    var locale = document.documentElement.lang.indexOf("zh") === 0 ? "ZH" : "EN";
    var chart = window.echarts.init(container, null, { locale: locale, renderer: "canvas" });
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  // Tooltips are drawn on the canvas (richText), never as HTML: a milestone's name cannot become
  // markup, and ECharts' HTML tooltips carry inline style attributes that the CSP blocks.
  // Formatters therefore return plain text, lines split by \n (no encodeHTML: nothing is HTML).
  function tooltip(options) {
    var merged = { renderMode: "richText", confine: true };
    Object.keys(options || {}).forEach(function (key) { merged[key] = options[key]; });
    return merged;
  }

  function milestones() {
    var container = document.getElementById("milestone-chart");
    var data = readData("milestone-chart-data");
    if (!container || !data || !window.echarts) { return; }
    var names = data.milestones.map(function (m) { return m.name; });
    function points(key) {
      return data.milestones
        .map(function (m, index) { return m[key] ? [m[key], index] : null; })
        .filter(function (point) { return point !== null; });
    }
    var slipLines = data.milestones.map(function (m, index) {
      return { coords: [[m.baseline, index], [m.forecast, index]], lineStyle: { color: m.exception ? "#dc3545" : "#adb5bd", width: 3 } };
    });
    container.style.height = Math.max(180, 48 * names.length + 70) + "px";
    var chart = start(container);
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 16, top: 36, bottom: 24, containLabel: true },
      legend: { top: 0, data: [data.labels.baseline, data.labels.forecast, data.labels.actual] },
      tooltip: tooltip({
        trigger: "item",
        formatter: function (params) {
          var m = data.milestones[params.value[1]];
          return m.name + "\n" + params.seriesName + ": " + params.value[0] + "\n" + data.labels.slip + ": " + m.slip;
        }
      }),
      xAxis: { type: "time", axisLabel: { hideOverlap: true } },
      yAxis: { type: "category", data: names, inverse: true, axisLabel: { width: 120, overflow: "truncate" } },
      series: [
        {
          name: data.labels.baseline, type: "scatter", symbol: "circle", symbolSize: 12, data: points("baseline"),
          itemStyle: { color: "#6c757d" },
          // The y axis is inverted, so the line runs from the top down: its end sits on the x axis,
          // where a label covers the year. Label it at the start, inside the plot, at the top.
          markLine: {
            symbol: "none", silent: true, label: { formatter: data.labels.today, position: "insideStartTop" },
            lineStyle: { color: "#0d6efd", type: "dashed" }, data: [{ xAxis: data.today }]
          }
        },
        { name: data.labels.forecast, type: "scatter", symbol: "diamond", symbolSize: 14, data: points("forecast"), itemStyle: { color: "#fd7e14" } },
        { name: data.labels.actual, type: "scatter", symbol: "triangle", symbolSize: 13, data: points("actual"), itemStyle: { color: "#198754" } },
        { type: "lines", coordinateSystem: "cartesian2d", silent: true, z: 1, data: slipLines }
      ]
    });
  }

  // Each category's name under its bars: wrapped where there is room, slanted and shortened on a
  // phone, where six wrapped names ran into each other (the tooltip has them whole).
  function categoryLabels(container, count) {
    var slot = (container.clientWidth - 64) / Math.max(1, count);
    if (slot >= 64) { return { interval: 0, overflow: "break", width: Math.min(140, slot - 8) }; }
    return { interval: 0, rotate: 35, overflow: "truncate", width: 84 };
  }

  function budget() {
    var container = document.getElementById("budget-chart");
    var data = readData("budget-chart-data");
    if (!container || !data || !window.echarts) { return; }
    container.style.height = "320px";
    var chart = start(container);
    var colours = { baseline: "#6c757d", committed: "#0dcaf0", actual: "#198754", forecast: "#fd7e14" };
    chart.setOption({
      animation: false,
      // On a phone the legend takes two lines: the plot starts below them.
      grid: { left: 8, right: 16, top: container.clientWidth < 500 ? 64 : 36, bottom: 24, containLabel: true },
      legend: { top: 0 },
      tooltip: tooltip({ trigger: "axis", axisPointer: { type: "shadow" } }),
      xAxis: { type: "category", data: data.categories, axisLabel: categoryLabels(container, data.categories.length) },
      yAxis: { type: "value" },
      series: ["baseline", "committed", "actual", "forecast"].map(function (key) {
        return { name: data.labels[key], type: "bar", data: data[key], itemStyle: { color: colours[key] } };
      })
    });
  }

  milestones();
  budget();
})();
