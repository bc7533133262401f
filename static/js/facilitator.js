/* Staff pages: quick capture (offline queue, shortcuts) and board niceties.
   Everything here enhances forms that work without JavaScript. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

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

  // --- Quick capture ---
  var form = document.getElementById("capture-form");
  if (!form) { return; }
  var box = form.querySelector('input[name="text"]');
  var status = document.getElementById("capture-status");
  var recent = document.getElementById("recent-notes");
  var postUrl = window.location.pathname;
  var queueKey = "pe-capture-queue:" + postUrl;
  var sending = false;

  function newClientId() {
    if (window.crypto && window.crypto.randomUUID) { return "note-" + window.crypto.randomUUID(); }
    return "note-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }
  function loadQueue() {
    try { return JSON.parse(window.localStorage.getItem(queueKey) || "[]"); } catch (e) { return []; }
  }
  function saveQueue(queue) {
    try { window.localStorage.setItem(queueKey, JSON.stringify(queue)); } catch (e) { /* private mode */ }
  }
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

  function flush() {
    if (sending) { return; }
    var queue = loadQueue();
    if (!queue.length) { return; }
    sending = true;
    var item = queue[0];
    // Always the token of this page: a note queued before a new log-in still goes.
    var token = form.querySelector('input[name="csrfmiddlewaretoken"]').value;
    item.fields.csrfmiddlewaretoken = token;
    var body = new URLSearchParams(item.fields);
    window.fetch(item.url || postUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": token }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        var rest = loadQueue().filter(function (q) { return q.fields.client_id !== item.fields.client_id; });
        if (response.ok && (data.status === "saved" || data.status === "duplicate")) {
          saveQueue(rest);
          say(form.dataset.saved + (rest.length ? " · " + form.dataset.queued + ": " + rest.length : ""), "ok");
        } else if (response.status === 400 || response.status === 409) {
          // Refused for good: show why, give the text back, drop it from the queue.
          saveQueue(rest);
          var message = data.error || "";
          if (data.errors) {
            message = Object.keys(data.errors).map(function (k) { return data.errors[k].join(" "); }).join(" ");
          }
          say(form.dataset.failed + ": " + message, "error");
          if (!box.value) { box.value = item.fields.text; }
        } else {
          throw new Error("server " + response.status);
        }
      });
    }).catch(function () {
      say(form.dataset.queued + ": " + loadQueue().length, "error");
    }).finally(function () {
      sending = false;
      if (loadQueue().length && navigator.onLine !== false) { window.setTimeout(flush, 300); }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = box.value.trim();
    if (!text) { box.focus(); return; }
    var fields = {};
    new FormData(form).forEach(function (value, key) { fields[key] = value; });
    fields.text = text;
    fields.client_id = newClientId();
    var queue = loadQueue();
    queue.push({ url: postUrl, fields: fields });
    saveQueue(queue);
    addRecent(text, checkedLabel("category"));
    box.value = "";
    var quote = form.querySelector('input[name="quotable"]');
    if (quote) { quote.checked = false; }
    box.focus();
    flush();
  });

  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (event.code === "KeyS") {
      var speaker = form.querySelector('select[name="speaker"]');
      if (speaker) { event.preventDefault(); speaker.focus(); }
      return;
    }
    var target = form.querySelector('[data-key="' + event.code + '"]');
    if (event.code === "Digit0") {
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
  window.addEventListener("online", flush);
  window.setInterval(flush, 3000);
  refreshVisibility();
  flush();
  box.focus();
})();
