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

// A table wider than the screen scrolls inside its own box. Keyboard users can only scroll a box
// they can focus, so a box that does scroll becomes a named, focusable region; one that fits
// adds no Tab stop.
(function () {
  "use strict";

  function nameOf(box) {
    var table = box.querySelector("table");
    var caption = table && table.querySelector("caption");
    if (caption && caption.textContent.trim()) {
      return caption.textContent.trim();
    }
    if (table && table.getAttribute("aria-label")) {
      return table.getAttribute("aria-label");
    }
    var section = box.closest("section, main");
    var heading = section && section.querySelector("h1, h2, h3");
    return heading ? heading.textContent.trim() : "Table";
  }

  function markScrollingTables() {
    document.querySelectorAll(".table-wrap").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", nameOf(box) + " (scrolls sideways)");
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", markScrollingTables);
  document.addEventListener("htmx:afterSettle", markScrollingTables);
  window.addEventListener("resize", markScrollingTables);
})();

// On a narrow screen the settings navigation folds behind a button that says where you are
// (the disclosure pattern); Escape folds it again and returns to the button.
(function () {
  "use strict";

  var narrow = window.matchMedia("(max-width: 799.98px)");

  function fold() {
    var nav = document.querySelector(".sidenav");
    var button = nav && nav.querySelector(".sidenav-toggle");
    if (!button) {
      return;
    }
    if (narrow.matches) {
      nav.setAttribute("data-folded", "");
      button.hidden = false;
    } else {
      nav.removeAttribute("data-folded");
      button.hidden = true;
      button.setAttribute("aria-expanded", "false");
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".sidenav-toggle");
    if (button) {
      button.setAttribute("aria-expanded", button.getAttribute("aria-expanded") === "true" ? "false" : "true");
    }
  });
  document.addEventListener("keydown", function (event) {
    var nav = event.target.closest && event.target.closest(".sidenav[data-folded]");
    var button = nav && nav.querySelector(".sidenav-toggle");
    if (event.key === "Escape" && button && button.getAttribute("aria-expanded") === "true") {
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }
  });
  document.addEventListener("DOMContentLoaded", fold);
  narrow.addEventListener("change", fold);
})();

// After a step of a multi-step form is swapped in, focus moves to the new step's heading, so
// that a screen reader announces it and Tab continues from there rather than from the top.
document.addEventListener("htmx:afterSettle", function (event) {
  "use strict";
  var target = event.detail && event.detail.target;
  if (!target || !target.id) {
    return;
  }
  var heading = document.querySelector("#" + target.id + " [data-step-heading]");
  if (heading) {
    heading.focus();
  }
});

// While viewing as someone (read-only), every button that would post a change is disabled and
// says why, instead of being refused after the click. The server refuses such posts regardless;
// stopping the view and signing out stay possible.
(function () {
  "use strict";

  function disableWrites() {
    if (!document.body || !document.body.hasAttribute("data-read-only")) {
      return;
    }
    document.querySelectorAll('button, input[type="submit"]').forEach(function (control) {
      var form = control.form;
      var posts = form && form.method === "post" && !form.hasAttribute("data-allowed-read-only");
      if (posts || control.hasAttribute("hx-post")) {
        control.disabled = true;
        control.title = "Read-only while viewing as another user";
        control.setAttribute("aria-describedby", "read-only-note");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", disableWrites);
  document.addEventListener("htmx:afterSettle", disableWrites);
})();
