// Kindling console: small conveniences; every page works without this file.
// "/" moves the focus to the page's search field, as in many admin tools.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var active = document.activeElement;
    var tag = active && active.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (active && active.isContentEditable)) {
      return;
    }
    var search = document.querySelector("[data-search-shortcut]");
    if (search) {
      event.preventDefault();
      search.focus();
      search.select();
    }
  });
})();
// A file input with data-loads="ID" loads the chosen file's text into textarea #ID.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var input = event.target;
    var target = input && input.getAttribute && input.getAttribute("data-loads");
    if (!target || !input.files || !input.files[0]) {
      return;
    }
    var area = document.getElementById(target);
    if (!area) {
      return;
    }
    input.files[0].text().then(function (text) {
      area.value = text;
    });
  });
})();
