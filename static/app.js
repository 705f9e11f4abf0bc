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

// Row menus (WAI-ARIA menu button): each row of a list that has the shared #row-menu gets a "⋯"
// button; it opens that one menu beside it, showing the entries its row's data-acts (or else the
// menu's) name, and an entry posts that action for the row's person through the #row-action form.
// Arrow keys, Home and End move, Escape closes and returns focus to the button, Tab or a click
// elsewhere closes. The buttons are made here, not sent with every row: without JavaScript they
// could not open anything, and the bulk Actions menu does it all.
(function () {
  "use strict";

  var current = null;
  var uid = 0;

  function menu() { return document.getElementById("row-menu"); }

  function shown(m) {
    return Array.prototype.slice.call(m.querySelectorAll('[role="menuitem"]')).filter(function (i) {
      return !i.parentNode.hidden;
    });
  }

  function enhance() {
    var m = menu();
    if (!m) {
      return;
    }
    var table = document.querySelector('[data-testid="user-table"]');
    if (!table || table.hasAttribute("data-row-menus")) {
      return;
    }
    table.setAttribute("data-row-menus", "");
    var head = table.querySelector("thead tr");
    var th = document.createElement("th");
    th.scope = "col";
    th.className = "col-menu";
    th.innerHTML = '<span class="visually-hidden">Actions</span>';
    head.appendChild(th);
    Array.prototype.forEach.call(table.querySelectorAll('tbody tr[data-testid="user-row"]'), function (row) {
      var td = document.createElement("td");
      td.className = "col-menu";
      var link = row.querySelector("a.person");
      var acts = row.getAttribute("data-acts") || m.getAttribute("data-acts") || "";
      if (link && acts) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "row-menu-btn";
        button.id = "row-menu-btn-" + (++uid);
        button.textContent = "\u22EF";
        button.setAttribute("aria-haspopup", "menu");
        button.setAttribute("aria-expanded", "false");
        button.setAttribute("aria-controls", "row-menu");
        button.setAttribute("aria-label", "Actions for " + row.querySelector(".person-text > b, .person-name").textContent);
        button.setAttribute("data-testid", "row-menu-button");
        button.setAttribute("data-id", link.getAttribute("href").split("/").pop());
        button.setAttribute("data-acts", acts);
        td.appendChild(button);
      }
      row.appendChild(td);
    });
  }

  // place keeps the menu fixed beside its button, so that the table's scrolling box does not
  // clip it: below the button, or above it when the window has no room below.
  function place(m, button) {
    var at = button.getBoundingClientRect();
    var below = window.innerHeight - at.bottom > m.offsetHeight + 8;
    m.style.top = (below ? at.bottom + 4 : Math.max(4, at.top - m.offsetHeight - 4)) + "px";
    m.style.left = Math.max(4, at.right - m.offsetWidth) + "px";
  }

  function follow() {
    var m = menu();
    if (current && m && !m.hidden) {
      place(m, current);
    }
  }

  function close(returnFocus) {
    var m = menu();
    if (m) {
      m.hidden = true;
    }
    if (current) {
      current.setAttribute("aria-expanded", "false");
      if (returnFocus && document.body.contains(current)) {
        current.focus();
      }
    }
    current = null;
  }

  function open(button, last) {
    var m = menu();
    var form = document.getElementById("row-action");
    if (!m || !form) {
      return;
    }
    close(false);
    var acts = button.getAttribute("data-acts").split(" ");
    var id = button.getAttribute("data-id");
    Array.prototype.forEach.call(m.querySelectorAll('[role="menuitem"]'), function (item) {
      item.parentNode.hidden = acts.indexOf(item.getAttribute("data-act") || item.value) < 0;
      if (item.hasAttribute("data-href")) {
        item.setAttribute("href", item.getAttribute("data-href").replace("{id}", id));
      }
    });
    form.querySelector('input[name="ids"]').value = id;
    m.setAttribute("aria-labelledby", button.id);
    m.hidden = false;
    place(m, button);
    button.setAttribute("aria-expanded", "true");
    current = button;
    var items = shown(m);
    if (items.length) {
      items[last ? items.length - 1 : 0].focus();
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".row-menu-btn");
    if (button) {
      if (current === button) {
        close(true);
      } else {
        open(button, false);
      }
      return;
    }
    if (current && !(event.target.closest && event.target.closest("#row-menu"))) {
      close(false);
    }
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (target.classList && target.classList.contains("row-menu-btn")) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        open(target, event.key === "ArrowUp");
      }
      return;
    }
    var m = menu();
    if (!current || !m || !m.contains(target)) {
      return;
    }
    var items = shown(m);
    var at = items.indexOf(target);
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        items[(at + 1) % items.length].focus();
        break;
      case "ArrowUp":
        event.preventDefault();
        items[(at - 1 + items.length) % items.length].focus();
        break;
      case "Home":
        event.preventDefault();
        items[0].focus();
        break;
      case "End":
        event.preventDefault();
        items[items.length - 1].focus();
        break;
      case "Escape":
        event.preventDefault();
        close(true);
        break;
      case "Tab":
        close(false);
        break;
      case " ":
        event.preventDefault();
        target.click();
        break;
    }
  });

  document.addEventListener("htmx:beforeSwap", function () { close(false); });
  window.addEventListener("resize", follow);
  document.addEventListener("scroll", follow, true);
  document.addEventListener("htmx:afterSettle", enhance);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
})();
