// Draws each dashboard figure with ECharts from the JSON the page carries beside it, and
// toggles the figure's table. Money arrives in yuan, rates in per cent.
(function () {
  "use strict";

  function option(data) {
    var legend = { top: 0, type: "scroll" };
    var grid = { left: 8, right: 8, top: 32, bottom: 8, containLabel: true };
    if (data.type === "pie") {
      return {
        tooltip: { trigger: "item" },
        legend: legend,
        series: [{
          type: "pie",
          radius: ["35%", "65%"],
          top: 24,
          data: data.categories.map(function (name, i) {
            return { name: name, value: data.series[0].data[i] };
          }),
        }],
      };
    }
    var horizontal = data.type === "hbar";
    var secondary = data.series.some(function (s) { return s.secondary; });
    var category = { type: "category", data: data.categories, inverse: horizontal };
    var values = [{ type: "value" }];
    if (secondary) values.push({ type: "value", splitLine: { show: false } });
    return {
      tooltip: { trigger: "axis" },
      legend: legend,
      grid: grid,
      xAxis: horizontal ? values[0] : category,
      yAxis: horizontal ? category : values,
      series: data.series.map(function (s) {
        return {
          name: s.name,
          type: s.secondary || data.type === "line" ? "line" : "bar",
          yAxisIndex: !horizontal && s.secondary ? 1 : 0,
          data: s.data,
        };
      }),
    };
  }

  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var source = document.getElementById(element.dataset.chart);
    if (!source || typeof echarts === "undefined") return;
    var chart = echarts.init(element);
    chart.setOption(option(JSON.parse(source.textContent)));
    window.addEventListener("resize", function () { chart.resize(); });
  });

  document.querySelectorAll("[data-toggle-table]").forEach(function (button) {
    button.addEventListener("click", function () {
      var table = document.getElementById("table-" + button.dataset.toggleTable);
      if (table) table.classList.toggle("d-none");
    });
  });
})();
