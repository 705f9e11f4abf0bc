// Progressive enhancement for forms that select many rows: a "select every row on this page"
// checkbox and a live count. Everything works without it; listeners are delegated to the
// document so rows swapped in by htmx need no re-binding.
(function () {
  "use strict";

  function rowBoxes(form) {
    return Array.prototype.slice.call(form.querySelectorAll('input[type="checkbox"][name="ids"]'));
  }

  function refresh(form) {
    var boxes = rowBoxes(form);
    var checked = boxes.filter(function (b) { return b.checked; }).length;
    var all = form.querySelector('input[name="select_all"]');
    var page = form.querySelector("[data-select-page]");
    if (page) {
      page.checked = boxes.length > 0 && checked === boxes.length;
      page.indeterminate = checked > 0 && checked < boxes.length;
    }
    var counter = form.querySelector("[data-selected-count]");
    if (counter) {
      if (all && all.checked) {
        counter.textContent = "All matching users selected";
      } else {
        counter.textContent = checked === 0 ? "" : checked + " selected";
      }
    }
  }

  // The deactivation wizard's confirm button says what it will do: deactivate now, or schedule.
  function whenChanged(form, value) {
    var button = form.querySelector("[data-label-at]");
    if (button) {
      button.textContent = value === "at" ? button.getAttribute("data-label-at") : button.getAttribute("data-label-now");
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    var form = target.form;
    if (!form) {
      return;
    }
    if (target.name === "when") {
      whenChanged(form, target.value);
      return;
    }
    if (target.hasAttribute("data-select-page")) {
      rowBoxes(form).forEach(function (b) { b.checked = target.checked; });
    }
    if (target.name === "select_all" && target.checked) {
      rowBoxes(form).forEach(function (b) { b.checked = true; });
    }
    if (target.name === "ids" && !target.checked) {
      var all = form.querySelector('input[name="select_all"]');
      if (all) {
        all.checked = false;
      }
    }
    refresh(form);
  });
})();
