/* Staff pages: quick capture (the shared outbox of outbox.js, shortcuts) and board niceties.
   Everything here enhances forms that work without JavaScript. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // --- Session form: "Select all" ticks (and untick clears) every participant box. ---
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.name !== "all_participants") { return; }
    Array.prototype.forEach.call(
      document.querySelectorAll('input[name="participants"]'),
      function (one) { one.checked = box.checked; });
  });

  // --- Board: keep ticked contributions ticked when the list refreshes. ---
  var ticked = [];
  document.addEventListener("htmx:beforeSwap", function (event) {
    // A poll answered by another page (the log-in page after the session
    // expired): reload the whole page instead of nesting that page in the board.
    var info = event.detail.pathInfo || {};
    var asked = (info.requestPath || "").split("?")[0];
    var got = (info.responsePath || "").split("?")[0];
    if (asked && got && asked !== got) {
      event.detail.shouldSwap = false;
      window.location.reload();
      return;
    }
    ticked = Array.prototype.map.call(
      document.querySelectorAll('input[name="ids"]:checked'),
      function (box) { return box.value; });
  });
  document.addEventListener("htmx:afterSwap", function () {
    ticked.forEach(function (value) {
      var box = document.querySelector('input[name="ids"][value="' + value + '"]');
      if (box) { box.checked = true; }
    });
  });

  // --- Board: keys 1, 2, 3 accept a suggested theme of the contribution in focus. ---
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || !/^[1-3]$/.test(event.key)) { return; }
    var target = event.target;
    if (target.matches && target.matches("input[type=text], textarea, select")) { return; }
    var item = target.closest && target.closest(".board-item");
    var button = item && item.querySelector('.suggestion[data-key="' + event.key + '"]');
    if (button) {
      event.preventDefault();
      button.click();
    }
  });

  // --- Board: the theme picker filters as you type, on both names, without accents. ---
  var picker = document.getElementById("bulk-themes");
  if (picker) {
    var fold = function (text) {
      return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    };
    var find = document.createElement("input");
    find.type = "search";
    find.id = "bulk-themes-find";
    find.className = "form-control form-control-sm mb-1";
    find.placeholder = picker.dataset.filterLabel;
    find.setAttribute("aria-label", picker.dataset.filterLabel);
    find.setAttribute("aria-controls", picker.id);
    picker.parentNode.insertBefore(find, picker);
    find.addEventListener("input", function () {
      var words = fold(find.value).split(/\s+/).filter(Boolean);
      Array.prototype.forEach.call(picker.options, function (option) {
        var names = fold(option.dataset.names + " " + option.textContent);
        option.hidden = !words.every(function (word) { return names.indexOf(word) !== -1; });
      });
    });
    find.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      event.preventDefault();  // Enter picks the first theme shown instead of submitting
      var first = Array.prototype.find.call(picker.options, function (o) { return !o.hidden; });
      if (first) { first.selected = true; }
    });
  }

  // --- Quick capture ---
  var form = document.getElementById("capture-form");
  if (!form) { return; }
  var box = form.querySelector('[name="text"]');
  // Enter saves, Shift+Enter starts a new line (the box has several lines).
  box.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    }
  });
  // The speaker of one note is never carried over to the next one: a note meant as
  // anonymous was stored with the previous speaker's zone and gender.
  function forgetSpeaker() {
    ["speaker", "zone", "gender"].forEach(function (name) {
      var select = form.querySelector('select[name="' + name + '"]');
      if (select) { select.value = ""; }
    });
    refreshVisibility();
  }
  var status = document.getElementById("capture-status");
  var recent = document.getElementById("recent-notes");
  function say(text, kind) {
    status.textContent = text;
    status.classList.toggle("is-error", kind === "error");
    status.classList.toggle("is-ok", kind === "ok");
  }
  function checkedLabel(name) {
    var input = form.querySelector('input[name="' + name + '"]:checked');
    var label = input && form.querySelector('label[for="' + input.id + '"]');
    return label ? label.textContent.replace(/^\d+ · /, "") : "";
  }
  function addRecent(text, category) {
    var empty = recent.querySelector(".empty");
    if (empty) { empty.remove(); }
    var item = document.createElement("li");
    item.className = "border-bottom py-1";
    var badge = document.createElement("span");
    badge.className = "badge text-bg-light border";
    badge.textContent = category;
    item.appendChild(badge);
    item.appendChild(document.createTextNode(" " + text));
    recent.insertBefore(item, recent.firstChild);
  }
  function refreshVisibility() {
    var category = (form.querySelector('input[name="category"]:checked') || {}).value;
    form.querySelectorAll(".only-for").forEach(function (block) {
      block.classList.toggle("is-off", block.dataset.category !== category);
    });
    var speaker = form.querySelector('select[name="speaker"]');
    form.querySelectorAll(".anonymous-only").forEach(function (block) {
      block.classList.toggle("is-off", !!(speaker && speaker.value));
    });
  }

  function parsed(text) {
    try { return JSON.parse(text) || {}; } catch (e) { return {}; }
  }
  function waiting(count) {
    if (count) { say(form.dataset.queued + ": " + count, navigator.onLine === false ? "error" : ""); }
  }
  var outbox = window.PeOutbox && window.PeOutbox.supported() && window.PeOutbox.open({
    name: "capture",
    form: form,
    sent: function () {
      var rest = Object.keys(outbox.items()).length;
      say(form.dataset.saved + (rest ? " · " + form.dataset.queued + ": " + rest : ""), "ok");
    },
    refused: function (id, item, status, text) {
      // Refused for good: show why, give the text back.
      var data = parsed(text);
      var message = data.error || "";
      if (data.errors) {
        message = Object.keys(data.errors).map(function (k) { return data.errors[k].join(" "); }).join(" ");
      }
      say(form.dataset.failed + (message ? ": " + message : ""), "error");
      if (!box.value) { box.value = item.text; }
    },
    changed: waiting
  });
  function enqueue(event) {
    event.preventDefault();
    var text = box.value.trim();
    if (!text) { box.focus(); return; }
    var data = new FormData(form);
    data.set("text", text);
    data.set("client_id", window.PeOutbox.newId());
    addRecent(text, checkedLabel("category"));
    box.value = "";
    var quote = form.querySelector('input[name="quotable"]');
    if (quote) { quote.checked = false; }
    forgetSpeaker();
    box.focus();
    outbox.add(window.location.pathname, data, text);
  }
  // Without the outbox the plain form posts and redirects.
  if (outbox) { form.addEventListener("submit", enqueue); }

  // Shortcuts follow the character typed (Alt+Q is the key labelled Q on AZERTY too);
  // digits follow the key's place, as AZERTY types "&" for the key labelled 1.
  function shortcut(event) {
    if (/^[a-z]$/i.test(event.key)) { return "Key" + event.key.toUpperCase(); }
    return event.code;
  }
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey) { return; }
    var key = shortcut(event);
    if (key === "KeyS") {
      var speaker = form.querySelector('select[name="speaker"]');
      if (speaker) { event.preventDefault(); speaker.focus(); }
      return;
    }
    var target = form.querySelector('[data-key="' + key + '"]');
    if (key === "Digit0") {
      form.querySelectorAll('[data-key="Digit0"]').forEach(function (input) { input.checked = true; });
      event.preventDefault();
      box.focus();
      return;
    }
    if (!target) { return; }
    event.preventDefault();
    target.checked = target.type === "checkbox" ? !target.checked : true;
    refreshVisibility();
    box.focus();
  });
  form.addEventListener("change", function (event) {
    refreshVisibility();
    if (event.target.type === "radio" || event.target.type === "checkbox") { box.focus(); }
  });
  form.querySelectorAll("select").forEach(function (select) {
    select.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === "Escape") { event.preventDefault(); box.focus(); }
    });
  });
  refreshVisibility();
  if (outbox) { outbox.flush(); }
  box.focus();
})();
