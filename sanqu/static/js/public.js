/* The public news pages: the font-size switch (大 中 小, kept in localStorage) and the print link.
   Without JavaScript the page reads at the default size and 打印 opens the print view. */
(function () {
  "use strict";
  var KEY = "sanqu.fontSize";
  var SIZES = ["small", "medium", "large"];

  function stored() {
    try {
      var value = window.localStorage.getItem(KEY);
      return SIZES.indexOf(value) >= 0 ? value : "medium";
    } catch (error) {
      return "medium";
    }
  }

  function apply(article, buttons, size) {
    article.setAttribute("data-font-size", size);
    buttons.forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-font-size") === size));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var article = document.getElementById("article");
    var switcher = document.querySelector(".font-switch");
    if (article && switcher) {
      var buttons = Array.prototype.slice.call(switcher.querySelectorAll("button[data-font-size]"));
      apply(article, buttons, stored());
      buttons.forEach(function (button) {
        button.addEventListener("click", function () {
          var size = button.getAttribute("data-font-size");
          apply(article, buttons, size);
          try {
            window.localStorage.setItem(KEY, size);
          } catch (error) {
            /* private browsing: the choice lasts for this page only */
          }
        });
      });
      switcher.hidden = false;
    }
    document.querySelectorAll("[data-print]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        window.print();
      });
    });
  });
})();
