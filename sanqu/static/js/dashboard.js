/* The dashboard's charts (ECharts), drawn from the JSON the page carries in #dashboard-data.
   Every bar, slice, point and county opens the drill-down link the server put beside its value.
   The figure the map and the county comparison show is kept in the URL (?figure=…). */
(function () {
  "use strict";

  var PALETTE = ["#0f5752", "#c58b2a", "#b8412c", "#4f7cac", "#6b8f3a", "#8a5a9e", "#2f8f8a", "#9c6b4e"];
  var INK = "#1d2a33";
  var MUTED = "#58656e";
  var charts = [];

  function readData() {
    var node = document.getElementById("dashboard-data");
    return node ? JSON.parse(node.textContent) : null;
  }

  function narrow() {
    return window.matchMedia("(max-width: 600px)").matches;
  }

  function base() {
    return {
      color: PALETTE,
      textStyle: { fontFamily: "inherit", color: INK },
      animationDuration: 300,
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      tooltip: { trigger: "item", confine: true }
    };
  }

  function open(link) {
    if (link) {
      window.location.href = link;
    }
  }

  function draw(node, option) {
    var chart = window.echarts.init(node, null, { renderer: "canvas" });
    chart.setOption(option);
    chart.on("click", function (params) {
      open(params.data && params.data.link);
    });
    charts.push(chart);
    return chart;
  }

  function linked(value, link, extra) {
    var item = { value: value, link: link };
    if (extra) {
      Object.keys(extra).forEach(function (key) {
        item[key] = extra[key];
      });
    }
    return item;
  }

  function trendChart(node, data) {
    var years = data.trend.map(function (row) {
      return String(row.year);
    });
    var series = data.trend_series.map(function (serie, index) {
      var onRight = serie.key === "beneficiaries";
      return {
        name: serie.label,
        type: "line",
        yAxisIndex: onRight ? 1 : 0,
        symbolSize: 9,
        lineStyle: { width: 2.5, type: onRight ? "dashed" : "solid" },
        emphasis: { focus: "series" },
        data: data.trend.map(function (row) {
          return linked(row.values[serie.key], row.links[serie.key]);
        }),
        color: PALETTE[index]
      };
    });
    var option = base();
    option.tooltip = { trigger: "axis", confine: true };
    option.legend = { top: 0, type: "scroll", textStyle: { color: MUTED } };
    option.grid.top = narrow() ? 64 : 44;
    option.xAxis = { type: "category", data: years, axisLabel: { color: MUTED } };
    option.yAxis = [
      { type: "value", minInterval: 1, axisLabel: { color: MUTED } },
      { type: "value", minInterval: 1, axisLabel: { color: MUTED }, splitLine: { show: false } }
    ];
    option.series = series;
    var chart = draw(node, option);
    // A click on the axis area (not just the point) opens the year's first series.
    chart.getZr().on("click", function (event) {
      if (event.target) {
        return;
      }
      var point = [event.offsetX, event.offsetY];
      if (!chart.containPixel("grid", point)) {
        return;
      }
      var index = chart.convertFromPixel({ seriesIndex: 0 }, point)[0];
      var row = data.trend[index];
      if (row) {
        open(row.links[data.trend_series[0].key]);
      }
    });
  }

  function figureLabel(data, key) {
    var found = data.figures.filter(function (option) {
      return option.key === key;
    });
    return found.length ? found[0].label : key;
  }

  function compareOption(data, key) {
    var rows = data.counties.slice().sort(function (a, b) {
      return a.values[key] - b.values[key];
    });
    var option = base();
    option.grid.top = 8;
    option.tooltip = { trigger: "item", confine: true };
    option.xAxis = { type: "value", axisLabel: { color: MUTED } };
    option.yAxis = {
      type: "category",
      data: rows.map(function (row) {
        return row.name;
      }),
      axisLabel: { color: INK, interval: 0 }
    };
    option.series = [
      {
        name: figureLabel(data, key),
        type: "bar",
        barMaxWidth: 18,
        label: { show: true, position: "right", color: MUTED },
        data: rows.map(function (row) {
          return linked(row.values[key], row.links[key]);
        })
      }
    ];
    return option;
  }

  function mapOption(data, key) {
    var values = data.counties
      .filter(function (row) {
        return row.feature;
      })
      .map(function (row) {
        return linked(row.values[key], row.links[key], { name: row.feature, county: row.name });
      });
    var max = Math.max.apply(
      null,
      values.map(function (item) {
        return item.value || 0;
      }).concat([1])
    );
    return {
      textStyle: { fontFamily: "inherit", color: INK },
      tooltip: {
        trigger: "item",
        confine: true,
        formatter: function (params) {
          if (!params.data) {
            return params.name + "<br>" + data.labels.not_receiving;
          }
          return params.name + "<br>" + figureLabel(data, key) + "：" + params.value;
        }
      },
      visualMap: {
        type: "continuous",
        min: 0,
        max: max,
        left: 0,
        bottom: 0,
        calculable: false,
        itemHeight: narrow() ? 90 : 130,
        text: [String(max), "0"],
        textStyle: { color: MUTED },
        inRange: { color: ["#e4efed", "#7fb3ab", "#0f5752"] }
      },
      series: [
        {
          type: "map",
          map: "sanqu-counties",
          roam: false,
          layoutCenter: ["50%", "50%"],
          layoutSize: "100%",
          aspectScale: 0.85,
          selectedMode: false,
          label: { show: false },
          itemStyle: { areaColor: "#f1efe9", borderColor: "#ffffff", borderWidth: 0.8 },
          emphasis: { label: { show: true, color: INK }, itemStyle: { areaColor: "#c58b2a" } },
          data: values
        }
      ]
    };
  }

  function drawMap(node, data, state) {
    var chart = draw(node, { textStyle: { fontFamily: "inherit" } });
    chart.showLoading({ text: "" });
    fetch(data.map_url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (geojson) {
        window.echarts.registerMap("sanqu-counties", geojson);
        chart.hideLoading();
        chart.setOption(mapOption(data, state.figure), true);
        state.map = chart;
      })
      .catch(function () {
        chart.hideLoading();
        var message = document.createElement("p");
        message.className = "notice";
        message.textContent = data.labels.map_failed;
        node.replaceWith(message);
      });
  }

  function barChart(node, rows) {
    var sorted = rows.slice().sort(function (a, b) {
      return a.value - b.value;
    });
    var option = base();
    option.grid.top = 8;
    option.xAxis = { type: "value", axisLabel: { color: MUTED } };
    option.yAxis = {
      type: "category",
      data: sorted.map(function (row) {
        return row.name;
      }),
      axisLabel: { color: INK, interval: 0 }
    };
    option.series = [
      {
        type: "bar",
        barMaxWidth: 18,
        label: { show: true, position: "right", color: MUTED },
        data: sorted.map(function (row) {
          return linked(row.value, row.link);
        })
      }
    ];
    draw(node, option);
  }

  function teamsChart(node, data) {
    node.style.height = Math.max(220, 34 * data.teams.length + 80) + "px";
    var option = base();
    option.tooltip = { trigger: "axis", axisPointer: { type: "shadow" }, confine: true };
    option.legend = { top: 0, textStyle: { color: MUTED } };
    option.grid.top = narrow() ? 56 : 36;
    option.xAxis = { type: "value", minInterval: 1, axisLabel: { color: MUTED } };
    option.yAxis = {
      type: "category",
      inverse: true,
      data: data.teams.map(function (team) {
        return team.label;
      }),
      axisLabel: { color: INK, interval: 0, width: narrow() ? 110 : 220, overflow: "truncate" }
    };
    option.series = data.team_roles.map(function (role) {
      return {
        name: role.label,
        type: "bar",
        stack: "team",
        barMaxWidth: 20,
        data: data.teams.map(function (team) {
          return linked(team.values[role.key], team.link);
        })
      };
    });
    draw(node, option);
  }

  function retentionChart(node, data) {
    var rows = data.counties.filter(function (row) {
      return row.retention.ended > 0;
    });
    var option = base();
    option.grid.top = 8;
    option.tooltip = {
      trigger: "item",
      confine: true,
      formatter: function (params) {
        var row = params.data.row;
        return (
          row.name + "<br>" + data.labels.rate + "：" + row.retention.rate + "<br>" +
          data.labels.completed + " " + row.retention.completed + " · " +
          data.labels.left_early + " " + row.retention.left_early
        );
      }
    };
    option.xAxis = { type: "value", min: 0, max: 100, axisLabel: { color: MUTED, formatter: "{value}%" } };
    option.yAxis = {
      type: "category",
      data: rows.map(function (row) {
        return row.name;
      }),
      axisLabel: { color: INK, interval: 0 }
    };
    option.series = [
      {
        type: "bar",
        barMaxWidth: 16,
        label: { show: true, position: "right", color: MUTED, formatter: "{c}%" },
        data: rows.map(function (row) {
          return linked(row.retention.rate, row.retention.link, { row: row });
        })
      }
    ];
    draw(node, option);
  }

  function certificatesChart(node, data) {
    var option = base();
    option.grid.top = 36;
    option.tooltip = { trigger: "axis", axisPointer: { type: "shadow" }, confine: true };
    option.legend = { top: 0, textStyle: { color: MUTED } };
    option.xAxis = { type: "value", minInterval: 1, axisLabel: { color: MUTED } };
    option.yAxis = {
      type: "category",
      inverse: true,
      data: data.counties.map(function (row) {
        return row.name;
      }),
      axisLabel: { color: INK, interval: 0 }
    };
    option.series = [
      {
        name: data.labels.baseline,
        type: "bar",
        barMaxWidth: 10,
        color: "#c9c3b6",
        data: data.counties.map(function (row) {
          return linked(row.certificates.baseline, row.certificates.baseline_link);
        })
      },
      {
        name: data.labels.as_of,
        type: "bar",
        barMaxWidth: 10,
        color: "#0f5752",
        data: data.counties.map(function (row) {
          return linked(row.certificates.total, row.certificates.total_link);
        })
      }
    ];
    draw(node, option);
  }

  function sizeByRows(node, count) {
    node.style.height = Math.max(240, 26 * count + 40) + "px";
  }

  function keepFigureInUrl(key) {
    var url = new URL(window.location.href);
    url.searchParams.set("figure", key);
    window.history.replaceState(null, "", url.toString());
    document.querySelectorAll("[data-figure-input]").forEach(function (input) {
      input.value = key;
    });
  }

  function init() {
    var data = readData();
    if (!data || !window.echarts) {
      return;
    }
    var state = { figure: data.figure, map: null, compare: null };
    document.querySelectorAll("[data-chart]").forEach(function (node) {
      var kind = node.getAttribute("data-chart");
      if (kind === "trend") {
        trendChart(node, data);
      } else if (kind === "map") {
        drawMap(node, data, state);
      } else if (kind === "compare") {
        sizeByRows(node, data.counties.length);
        state.compare = draw(node, compareOption(data, state.figure));
      } else if (kind === "groups") {
        sizeByRows(node, data.groups.length);
        barChart(node, data.groups);
      } else if (kind === "services") {
        sizeByRows(node, data.services.length);
        barChart(node, data.services);
      } else if (kind === "teams") {
        teamsChart(node, data);
      } else if (kind === "retention") {
        sizeByRows(node, data.counties.length);
        retentionChart(node, data);
      } else if (kind === "certificates") {
        node.style.height = Math.max(260, 30 * data.counties.length + 60) + "px";
        certificatesChart(node, data);
      }
    });

    var select = document.querySelector("[data-figure-select]");
    if (select) {
      var submit = document.querySelector("[data-figure-submit]");
      if (submit) {
        submit.style.display = "none"; // the charts follow the select at once
      }
      select.addEventListener("change", function () {
        state.figure = select.value;
        keepFigureInUrl(state.figure);
        if (state.compare) {
          state.compare.setOption(compareOption(data, state.figure), true);
        }
        if (state.map) {
          state.map.setOption(mapOption(data, state.figure), true);
        }
      });
    }

    var pending = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(function () {
        charts.forEach(function (chart) {
          chart.resize();
        });
      }, 150);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
