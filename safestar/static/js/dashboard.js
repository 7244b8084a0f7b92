/* Dashboard charts (dashboards/): each element with data-chart is drawn by Apache ECharts from the
   data embedded in the page (<script type="application/json" id="dashboard-data">, board.published:
   the same figures as the table beside each chart, and what the dashboard API answers).
   No inline script (strict CSP); every chart can be saved as an image (toolbox: saveAsImage). */
(function () {
  "use strict";
  var embedded = null;

  function load() {
    if (embedded === null) {
      embedded = JSON.parse(document.getElementById("dashboard-data").textContent);
    }
    return embedded;
  }

  function base(title) {
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      toolbox: { feature: { saveAsImage: { title: "保存为图片", name: title, pixelRatio: 2 } } },
      grid: { left: 48, right: 24, top: 36, bottom: 48, containLabel: true }
    };
  }

  var builders = {
    ranking: function (data) {
      var rows = data.rows;
      var option = base(data.division.name + data.year + "年得分排名");
      option.xAxis = { type: "value", name: "分" };
      option.yAxis = { type: "category", inverse: true, data: rows.map(function (r) { return r.name; }) };
      option.series = [{ type: "bar", name: "得分", data: rows.map(function (r) { return r.total === null ? "-" : r.total; }), label: { show: true, position: "right" } }];
      return option;
    },
    distribution: function (data) {
      var option = base(data.division.name + data.year + "年得分分布");
      option.xAxis = { type: "category", data: data.distribution.map(function (b) { return b.label; }) };
      option.yAxis = { type: "value", name: "村数", minInterval: 1 };
      option.series = [{ type: "bar", name: "村数", data: data.distribution.map(function (b) { return b.count; }), label: { show: true, position: "top" } }];
      return option;
    },
    trend: function (data) {
      var option = base(data.division.name + data.year + "年月度趋势");
      option.xAxis = { type: "category", data: data.trend.map(function (p) { return p.month; }) };
      option.yAxis = { type: "value", name: "平均得分", scale: true };
      option.series = [{ type: "line", name: "平均得分", data: data.trend.map(function (p) { return p.average; }), label: { show: true } }];
      return option;
    },
    "area-trend": function (data) {
      var option = base(data.division.name + data.year + "年各" + data.child_label + "月度趋势");
      option.legend = { type: "scroll", top: 0, left: 0, right: 48 };
      option.grid.top = 48;
      option.xAxis = { type: "category", data: data.area_trend.months };
      option.yAxis = { type: "value", name: "平均得分", scale: true };
      option.series = data.area_trend.series.map(function (s) {
        return { type: "line", name: s.name, connectNulls: false, data: s.averages.map(function (v) { return v === null ? "-" : v; }) };
      });
      return option;
    },
    areas: function (data) {
      var option = base(data.division.name + data.year + "年各区划平均得分");
      option.xAxis = { type: "category", data: data.rows.map(function (r) { return r.name; }), axisLabel: { interval: 0, rotate: 30 } };
      option.yAxis = { type: "value", name: "平均得分", scale: true };
      option.series = [{ type: "bar", name: "平均得分", data: data.rows.map(function (r) { return r.average; }), label: { show: true, position: "top" } }];
      return option;
    },
    heatmap: function (data) {
      var cells = [];
      data.rows.forEach(function (row, y) {
        (row.shares || []).forEach(function (share, x) { cells.push([x, y, share === null ? "-" : share]); });
      });
      var option = base(data.division.name + data.year + "年各" + data.child_label + "各类别得分率");
      option.tooltip = { position: "top" };
      option.grid = { left: 8, right: 24, top: 36, bottom: 72, containLabel: true };
      option.xAxis = { type: "category", data: data.categories, axisLabel: { interval: 0, rotate: 30 } };
      option.yAxis = { type: "category", inverse: true, data: data.rows.map(function (r) { return r.name; }) };
      option.visualMap = { min: 0, max: 100, calculable: true, orient: "horizontal", left: "center", bottom: 0, inRange: { color: ["#dc3545", "#ffc107", "#198754"] } };
      option.series = [{ type: "heatmap", name: "得分率（%）", data: cells, label: { show: true } }];
      return option;
    }
  };

  function draw(element) {
    var kind = element.getAttribute("data-chart");
    try {
      var data = load();
      var chart = echarts.init(element, null, { renderer: "canvas" });
      chart.setOption(builders[kind](data));
      if (kind === "area-trend") {
        chart.on("click", function (params) {
          var series = data.area_trend.series[params.seriesIndex];
          if (series && series.url) { window.location.href = series.url; }
        });
      }
      if (kind === "heatmap" || kind === "ranking") {
        chart.on("click", function (params) {
          var row = data.rows[kind === "heatmap" ? params.value[1] : params.dataIndex];
          if (row && row.url) { window.location.href = row.url; }
        });
      }
      element.setAttribute("data-drawn", "1");
      window.addEventListener("resize", function () { chart.resize(); });
    } catch (error) {
      element.textContent = "图表无法显示：" + error.message;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(draw);
  });
})();
