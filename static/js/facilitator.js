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

  // --- Theme pickers filter as you type, on both names, without accents. ---
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  // Puts a search box before ``picker``; Enter picks the first theme shown (then ``picked``).
  function addFinder(picker, id, picked) {
    var find = document.createElement("input");
    find.type = "search";
    find.id = id;
    find.className = "form-control form-control-sm mb-1 theme-find";
    find.placeholder = picker.dataset.filterLabel;
    find.setAttribute("aria-label", picker.dataset.filterLabel);
    find.setAttribute("aria-controls", picker.id);
    picker.parentNode.insertBefore(find, picker);
    find.addEventListener("input", function () {
      var words = fold(find.value).split(/\s+/).filter(Boolean);
      Array.prototype.forEach.call(picker.options, function (option) {
        if (option.dataset.source) { return; }  // the group an item is in stays hidden
        var names = fold((option.dataset.names || "") + " " + option.textContent);
        option.hidden = !words.every(function (word) { return names.indexOf(word) !== -1; });
      });
      if (picked) {  // a one-theme picker shows the first match at once
        var shown = Array.prototype.find.call(picker.options, function (o) { return !o.hidden; });
        if (shown) { shown.selected = true; }
      }
    });
    find.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      event.preventDefault();  // Enter picks the first theme shown instead of submitting
      var first = Array.prototype.find.call(picker.options, function (o) { return !o.hidden; });
      if (first) {
        first.selected = true;
        if (picked) { picked(first); }
      }
    });
    return find;
  }
  var picker = document.getElementById("bulk-themes");
  if (picker) { addFinder(picker, "bulk-themes-find"); }

  // --- Grouped view: move a contribution to another theme's group. ---
  // The plain form of _grouped_move_form.html (cloned from #move-template) does the move;
  // keys and drag and drop only fill it in. The groups refresh when the move is done.
  var moveTemplate = document.getElementById("move-template");
  var refocus = null;
  var dragging = null;
  function groupItem(node) { return node && node.closest ? node.closest(".group-item") : null; }
  function untaggedKey() {
    var list = document.getElementById("grouped-list");
    return list ? list.dataset.untagged : "none";
  }
  function openMove(item) {
    var form = item.querySelector(".move-form");
    if (form || !moveTemplate) { return form; }
    form = moveTemplate.content.firstElementChild.cloneNode(true);
    var from = item.dataset.from === untaggedKey() ? "" : item.dataset.from;
    form.querySelector('[name="contribution"]').value = item.dataset.id;
    form.querySelector('[name="source"]').value = from;
    var select = form.querySelector("select");
    select.id = "move-" + item.id;
    form.querySelector("label").setAttribute("for", select.id);
    Array.prototype.forEach.call(select.options, function (option) {
      if (option.value === from) { option.hidden = true; option.dataset.source = "1"; }
    });
    var first = Array.prototype.find.call(select.options, function (o) { return !o.hidden; });
    if (first) { first.selected = true; }
    var link = item.querySelector(".move-link");
    if (link) { link.hidden = true; }
    item.appendChild(form);
    addFinder(select, "find-" + item.id, function () { submitMove(item, form, "move"); });
    if (window.htmx) { window.htmx.process(form); }
    return form;
  }
  function closeMove(item) {
    var form = item.querySelector(".move-form");
    if (form) { form.remove(); }
    var link = item.querySelector(".move-link");
    if (link) { link.hidden = false; }
    item.focus();
  }
  function submitMove(item, form, mode) {
    // After the refresh, the keyboard goes on with the next item of the group it left.
    var next = item.nextElementSibling || item.previousElementSibling;
    refocus = { item: next ? next.id : null, group: "group-" + item.dataset.from };
    form.querySelector('button[value="' + mode + '"]').click();
  }
  function step(item, by) {
    var items = Array.prototype.slice.call(document.querySelectorAll(".group-item[tabindex]"));
    var next = items[items.indexOf(item) + by];
    if (next) { next.focus(); }
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var item = groupItem(event.target);
    if (!item) { return; }
    if (event.key === "Escape" && event.target !== item) {
      event.preventDefault();
      closeMove(item);
      return;
    }
    if (event.target !== item) { return; }
    if (event.key === "m" || event.key === "M" || event.key === "Enter") {
      var form = openMove(item);
      if (form) {
        event.preventDefault();
        form.querySelector(".theme-find").focus();
      }
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      step(item, event.key === "ArrowDown" ? 1 : -1);
    }
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".move-link");
    if (!link || !moveTemplate) { return; }
    event.preventDefault();
    var form = openMove(groupItem(link));
    form.querySelector(".theme-find").focus();
  });
  document.addEventListener("dragstart", function (event) {
    var item = groupItem(event.target);
    if (!item || !item.draggable) { return; }
    dragging = item;
    item.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "copyMove";
    event.dataTransfer.setData("text/plain", item.dataset.id);
  });
  document.addEventListener("dragend", function () {
    if (dragging) { dragging.classList.remove("is-dragging"); }
    dragging = null;
    document.querySelectorAll(".theme-group.is-drop").forEach(function (group) {
      group.classList.remove("is-drop");
    });
  });
  function dropGroup(event) {
    var group = event.target.closest && event.target.closest(".theme-group");
    return dragging && group && group.dataset.group !== dragging.dataset.from ? group : null;
  }
  document.addEventListener("dragover", function (event) {
    var group = dropGroup(event);
    if (!group) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = event.ctrlKey || event.altKey ? "copy" : "move";
    group.classList.add("is-drop");
  });
  document.addEventListener("dragleave", function (event) {
    var group = event.target.closest && event.target.closest(".theme-group");
    if (group && !group.contains(event.relatedTarget)) { group.classList.remove("is-drop"); }
  });
  document.addEventListener("drop", function (event) {
    var group = dropGroup(event);
    if (!group) { return; }
    event.preventDefault();
    var item = dragging;
    var form = openMove(item);
    var target = group.dataset.group === untaggedKey() ? "" : group.dataset.group;
    form.querySelector("select").value = target;
    // Ctrl (or Alt) while dropping adds the theme and keeps the one the item was in.
    submitMove(item, form, event.ctrlKey || event.altKey ? "add" : "move");
  });
  // A poll does not replace the groups under a facilitator who is moving an item;
  // the refresh a move asks for (grouped-changed) does.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.target.id !== "grouped-list") { return; }
    var why = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    if (why && why.type === "grouped-changed") { return; }
    var active = document.activeElement;
    if (dragging || (active && active.closest && active.closest("#grouped-list .move-form"))) {
      event.preventDefault();
    }
  });
  document.addEventListener("htmx:afterSwap", function () {
    if (!refocus || !document.getElementById("grouped-list")) { return; }
    var next = (refocus.item && document.getElementById(refocus.item)) ||
      document.getElementById(refocus.group);
    refocus = null;
    if (next) {
      if (!next.hasAttribute("tabindex")) { next.setAttribute("tabindex", "-1"); }
      next.focus();
    }
  });
  document.addEventListener("htmx:responseError", function (event) {
    var status = document.getElementById("grouped-status");
    if (status && event.target.closest && event.target.closest(".move-form")) {
      status.textContent = event.detail.xhr.responseText;
      refocus = null;
    }
  });

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
