/* Datasette 0.65's table.js names the buttons it adds to the filter rows in English ("Remove this filter"); the page
   gives the name in its own language on the filters form (data-remove-filter), and this runs after table.js
   (both deferred, in order). */
(function () {
  var form = document.querySelector("form.filters[data-remove-filter]");
  if (!form) return;
  form.querySelectorAll(".filter-row > a[aria-label]").forEach(function (button) {
    button.setAttribute("aria-label", form.dataset.removeFilter);
    button.setAttribute("title", form.dataset.removeFilter);
  });
})();
