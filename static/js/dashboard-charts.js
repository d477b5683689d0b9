// crmgov: the dashboards' charts. Data comes from json_script elements; labels are already translated.
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

  var COLOURS = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#dc3545"];

  // Tooltips are drawn on the canvas (richText), never as HTML: a person's name cannot become
  // markup, and ECharts' HTML tooltips carry inline style attributes that the CSP (style-src
  // without 'unsafe-inline') blocks. Formatters therefore return plain text, lines split by \n.
  function tooltip(options) {
    var merged = { renderMode: "richText", confine: true };
    Object.keys(options || {}).forEach(function (key) { merged[key] = options[key]; });
    return merged;
  }

  function bar(data) {
    return {
      grid: { left: 8, right: 16, top: 36, bottom: 24, containLabel: true },
      legend: { top: 0 },
      tooltip: tooltip({ trigger: "axis", axisPointer: { type: "shadow" } }),
      xAxis: { type: "category", data: data.categories, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (s, index) {
        return { name: s.name, type: "bar", data: s.data, itemStyle: { color: COLOURS[index % COLOURS.length] } };
      })
    };
  }

  function control(data) {
    var out = {};
    data.out_of_control.forEach(function (index) { out[index] = true; });
    var values = data.series[0].data.map(function (value, index) {
      return out[index] ? { value: value, symbolSize: 12, itemStyle: { color: "#dc3545" } } : value;
    });
    function limit(value, label, colour) {
      return { yAxis: value, name: label, label: { formatter: label + " " + value, position: "insideEndTop" }, lineStyle: { color: colour, type: "dashed" } };
    }
    return {
      grid: { left: 8, right: 16, top: 36, bottom: 24, containLabel: true },
      legend: { top: 0 },
      tooltip: tooltip({ trigger: "axis" }),
      xAxis: { type: "category", data: data.categories, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{
        name: data.series[0].name, type: "line", data: values, symbolSize: 7, itemStyle: { color: "#0d6efd" },
        markLine: {
          symbol: "none", silent: true,
          data: [limit(data.mean, data.labels.mean, "#198754"), limit(data.ucl, data.labels.ucl, "#dc3545"), limit(data.lcl, data.labels.lcl, "#dc3545")]
        }
      }]
    };
  }

  // The change-request pipeline as horizontal bars, in workflow order (a funnel shape misleads
  // when stages are empty).
  function funnel(data) {
    return {
      tooltip: tooltip({ trigger: "axis" }),
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: data.categories },
      series: [{ name: data.series[0].name, type: "bar", data: data.series[0].data, label: { show: true, position: "right" } }]
    };
  }

  // Daily-report compliance: people × working days, one colour per state.
  function heatmap(data) {
    var colours = ["#dc3545", "#ffc107", "#198754"];
    return {
      tooltip: tooltip({
        position: "top",
        formatter: function (point) {
          // Plain text: rich-text tooltips do not read HTML.
          return data.people[point.value[1]] + " · " + data.categories[point.value[0]] + ": " + data.states[point.value[2]];
        }
      }),
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.categories, splitArea: { show: true }, axisLabel: { hideOverlap: true } },
      yAxis: { type: "category", data: data.people, inverse: true, axisLabel: { width: 90, overflow: "truncate" } },
      visualMap: {
        type: "piecewise", orient: "horizontal", top: 0, left: "center", dimension: 2, itemWidth: 12, itemHeight: 12,
        pieces: data.states.map(function (label, value) { return { value: value, label: label, color: colours[value] }; })
      },
      series: [{ type: "heatmap", data: data.cells, itemStyle: { borderColor: "#fff", borderWidth: 1 } }]
    };
  }

  function height(data) {
    if (data.kind === "heatmap") { return 60 + 20 * data.people.length; }
    return data.kind === "funnel" ? 360 : 260;
  }

  var KINDS = { bar: bar, control: control, funnel: funnel, heatmap: heatmap };

  function panels() {
    if (!window.echarts) { return; }
    Array.prototype.forEach.call(document.querySelectorAll(".dashboard-chart"), function (container) {
      var data = readData(container.getAttribute("data-source"));
      var build = data && KINDS[data.kind];
      if (!build) { return; }
      container.style.height = height(data) + "px";
      var option = build(data);
      option.animation = false;
      start(container).setOption(option);
    });
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
    container.style.height = Math.max(180, 40 * names.length + 70) + "px";
    start(container).setOption({
      animation: false,
      grid: { left: 8, right: 16, top: 36, bottom: 24, containLabel: true },
      legend: { top: 0, data: [data.labels.baseline, data.labels.forecast, data.labels.actual] },
      tooltip: tooltip({ trigger: "item" }),
      xAxis: { type: "time", axisLabel: { hideOverlap: true } },
      yAxis: { type: "category", data: names, inverse: true, axisLabel: { width: 120, overflow: "truncate" } },
      series: [
        {
          name: data.labels.baseline, type: "scatter", symbolSize: 12, data: points("baseline"), itemStyle: { color: "#6c757d" },
          markLine: { symbol: "none", silent: true, label: { formatter: data.labels.today }, lineStyle: { color: "#0d6efd", type: "dashed" }, data: [{ xAxis: data.today }] }
        },
        { name: data.labels.forecast, type: "scatter", symbol: "diamond", symbolSize: 14, data: points("forecast"), itemStyle: { color: "#fd7e14" } },
        { name: data.labels.actual, type: "scatter", symbol: "triangle", symbolSize: 13, data: points("actual"), itemStyle: { color: "#198754" } }
      ]
    });
  }

  milestones();
  panels();
})();
