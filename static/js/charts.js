// Charts of the chart kit (core/charts.py): every <div class="chart" data-chart="ID"> is drawn from the ECharts
// option in <script type="application/json" id="ID">. The vendored ECharts file is loaded once, only on pages with a
// chart. A point with a "url" opens the records behind it; "label_text" is its tooltip.
(function () {
  var loading = null;
  var script = document.currentScript;
  var echartsUrl = script && script.dataset.echarts;

  function loadEcharts() {
    if (window.echarts) return Promise.resolve(window.echarts);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = echartsUrl;
        tag.onload = function () { resolve(window.echarts); };
        tag.onerror = reject;
        document.head.appendChild(tag);
      });
    }
    return loading;
  }

  function itemTooltip(params) {
    var data = params.data || {};
    if (data.label_text) return data.label_text;
    var value = Array.isArray(data.value) ? data.value[data.value.length - 1] : (data.value !== undefined ? data.value : params.value);
    return (params.seriesName ? params.seriesName + "<br>" : "") + params.name + ": " + value;
  }

  function draw(el, echarts) {
    if (el.dataset.drawn) return;
    var source = document.getElementById(el.dataset.chart);
    if (!source) return;
    var option = JSON.parse(source.textContent);
    if (option.tooltip && option.tooltip.trigger === "item") option.tooltip.formatter = itemTooltip;
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    chart.on("click", function (params) {
      if (params.data && params.data.url) window.location.href = params.data.url;
    });
    el.dataset.drawn = "1";
    if (window.ResizeObserver) new ResizeObserver(function () { chart.resize(); }).observe(el);
  }

  function drawAll(root) {
    var charts = (root || document).querySelectorAll(".chart[data-chart]");
    if (!charts.length) return;
    loadEcharts().then(function (echarts) {
      charts.forEach(function (el) { draw(el, echarts); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
})();
