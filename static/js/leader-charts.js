// The leader's overview (petitions/leader_home.html): three charts drawn by the vendored
// Apache ECharts from the figures the page carries as JSON (Django's json_script, a
// <script type="application/json"> the browser never runs), so no inline script is
// needed and the CSP stays 'self'. The same figures are in the tables under each chart.
// Drawn as SVG; no animation when the reader asks for reduced motion.
(function () {
  "use strict";
  var source = document.getElementById("leader-charts-data");
  if (!source || !window.echarts) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var motion = window.matchMedia("(prefers-reduced-motion: reduce)");
  var locale = document.documentElement.lang.indexOf("zh") === 0 ? "ZH" : "EN";
  var charts = [];

  function percent(value) {
    return value === null || value === undefined ? "—" : value + data.percent;
  }

  function draw(id, option, rows) {
    var box = document.getElementById(id);
    if (!box) {
      return;
    }
    if (rows) {
      // A bar per row and series: tall enough for every name on a phone.
      box.style.height = Math.max(12, 4 + rows * 2.2) + "rem";
    }
    var chart = window.echarts.init(box, null, { renderer: "svg", locale: locale });
    option.animation = !motion.matches;
    chart.setOption(option);
    charts.push(chart);
  }

  var legend = { top: 0, type: "scroll" };
  var grid = { left: 8, right: 16, top: 40, bottom: 8, containLabel: true };

  draw("chart-trend", {
    legend: legend,
    grid: grid,
    tooltip: { trigger: "axis", valueFormatter: percent },
    xAxis: { type: "category", data: data.trend.months, boundaryGap: false },
    yAxis: {
      type: "value",
      min: 0,
      max: 100,
      axisLabel: { formatter: "{value}" + data.percent },
    },
    series: data.trend.series.map(function (s) {
      return { name: s.name, type: "line", data: s.data, connectNulls: false, symbolSize: 6 };
    }),
  });

  function bars(id, figures) {
    var box = document.getElementById(id);
    var labelWidth = box ? Math.max(96, Math.round(box.clientWidth * 0.4)) : 96;
    draw(
      id,
      {
        legend: legend,
        grid: grid,
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: {
          type: "category",
          data: figures.names,
          inverse: true,
          // Department names are long: up to 40% of the width, then cut with "…".
          axisLabel: { width: labelWidth, overflow: "truncate" },
        },
        series: figures.series.map(function (s) {
          return { name: s.name, type: "bar", data: s.data };
        }),
      },
      figures.names.length * figures.series.length
    );
  }
  bars("chart-categories", data.categories);
  bars("chart-departments", data.departments);

  motion.addEventListener("change", function () {
    charts.forEach(function (chart) {
      chart.setOption({ animation: !motion.matches });
    });
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) {
      chart.resize();
    });
  });
})();
