/* Peace Exchange, participant pages: small enhancements on top of plain forms.
 *
 * - Sending a contribution is one round trip (fetch, a fragment back, no redirect)
 *   through the shared outbox (static/js/outbox.js, loaded first): every send is kept
 *   on the phone only until the server confirms it, shown meanwhile as "waiting to send".
 * - A repeat of a client id is harmless (the server stores it once); a conflict
 *   (409) shows the stored text and gives the user's text back.
 * - "Wipe this phone" also empties localStorage, caches and readable cookies.
 * - The session state (open, voting, closed) is followed with server-sent events
 *   (one connection kept open, a few bytes when something changes); where that cannot
 *   work (no EventSource, the stream refused or failing) a tiny status document is
 *   polled instead, answered 304 when nothing changed.
 * No inline code anywhere (strict CSP); no framework; plain ES2015.
 */
(function () {
  "use strict";
  var POLL_MS = 20000;
  var STREAM_FAILURES = 3; /* errors in a row before falling back to polling */
  var doc = document;
  var script = doc.currentScript;
  var form = doc.querySelector("form[data-pe-send]");
  var own = doc.getElementById("own");
  var stateLine = doc.getElementById("pe-sending");
  var wiped = location.search.indexOf("wiped") !== -1;
  var outbox = null;

  function say(name) {
    return (form && form.getAttribute("data-" + name)) || "";
  }

  function fragment(html) {
    var box = doc.createElement("template");
    box.innerHTML = html.trim();
    return box.content;
  }

  function rowFor(id) {
    if (!own) return null;
    var rows = own.querySelectorAll("li[data-client-id]");
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].getAttribute("data-client-id") === id) return rows[i];
    }
    return null;
  }

  function showPending(id, item) {
    if (!own || !form || item.url !== form.action || rowFor(id)) return;
    var empty = own.querySelector(".empty");
    if (empty) empty.remove();
    var li = doc.createElement("li");
    li.className = "pending";
    li.setAttribute("data-client-id", id);
    var p = doc.createElement("p");
    p.textContent = item.text;
    var meta = doc.createElement("p");
    meta.className = "meta";
    meta.textContent = say("waiting");
    li.appendChild(p);
    li.appendChild(meta);
    own.insertBefore(li, own.firstChild);
  }

  function queued() {
    return outbox ? Object.keys(outbox.items()).length : 0;
  }

  function updateState(count) {
    if (!stateLine) return;
    if (!count) {
      stateLine.textContent = stateLine.getAttribute("data-done") ? say("sent") : "";
    } else if (!navigator.onLine) {
      stateLine.textContent = say("offline").replace("{n}", count);
    } else {
      stateLine.textContent = say("queued").replace("{n}", count);
    }
  }

  function showProblem(item, html) {
    var box = html && html.indexOf("data-problem") !== -1 ? fragment(html).firstChild : null;
    if (!box) {
      box = doc.createElement("div");
      box.className = "msg msg-error";
      box.setAttribute("role", "alert");
      var p = doc.createElement("p");
      p.textContent = say("failed");
      var kept = doc.createElement("textarea");
      kept.readOnly = true;
      kept.value = item.text;
      box.appendChild(p);
      box.appendChild(kept);
    }
    if (form) {
      form.parentNode.insertBefore(box, form);
      var area = form.querySelector("[name=text]");
      if (area && !area.value.trim()) area.value = item.text;
    }
  }

  function sent(id, item, status, html) {
    var pending = rowFor(id);
    if (stateLine) stateLine.setAttribute("data-done", "1");
    if (!own) return;
    var row = fragment(html);
    if (pending) {
      own.replaceChild(row, pending);
    } else if (!rowFor(id) && form && item.url === form.action) {
      var empty = own.querySelector(".empty");
      if (empty) empty.remove();
      own.insertBefore(row, own.firstChild);
    }
  }

  function refused(id, item, status, html) {
    if (!form) return false; /* keep it queued until a page can show it back */
    var pending = rowFor(id);
    if (pending) pending.remove();
    showProblem(item, html);
    return true;
  }

  function enqueue(event) {
    event.preventDefault();
    var area = form.querySelector("[name=text]");
    if (!area.value.trim()) {
      area.focus();
      return;
    }
    var data = new FormData(form);
    var id = data.get("client_id");
    showPending(id, { url: form.action, text: data.get("text") });
    area.value = "";
    form.querySelector("[name=client_id]").value = PeOutbox.newId();
    var quotable = form.querySelector("[name=quotable]");
    if (quotable) quotable.checked = false;
    outbox.add(form.action, data, data.get("text"));
  }

  function wipe() {
    try {
      localStorage.clear();
      sessionStorage.clear();
    } catch (e) { /* nothing stored */ }
    if (window.caches) {
      caches.keys().then(function (keys) {
        keys.forEach(function (k) { caches.delete(k); });
      });
    }
    if (navigator.serviceWorker) {
      navigator.serviceWorker.getRegistrations().then(function (regs) {
        regs.forEach(function (r) { r.unregister(); });
      });
    }
  }

  function forgetCookies() {
    /* After the wipe (the form needed its CSRF cookie until then). The device cookie is
     * HttpOnly: the server removed it. */
    doc.cookie.split(";").forEach(function (pair) {
      var name = pair.split("=")[0].trim();
      if (name) doc.cookie = name + "=; Max-Age=0; path=/";
    });
  }

  function follow(node) {
    var url = node.getAttribute("data-pe-status");
    var session = node.getAttribute("data-session");
    var known = node.getAttribute("data-state");
    var baseline = null;
    function changed() {
      var area = form && form.querySelector("[name=text]");
      var typing = area && area.value.trim();
      if (!typing && !queued()) {
        location.reload();
      } else if (node.id === "pe-state") {
        node.hidden = false;
      }
    }
    function seen(states) {
      if (!states) return;
      if (session) {
        if (known && states.sessions[session] && states.sessions[session] !== known) changed();
      } else {
        var now = JSON.stringify(states);
        if (baseline !== null && now !== baseline) changed();
        baseline = now;
      }
    }
    function poll() {
      if (doc.visibilityState !== "visible" || !navigator.onLine) return;
      fetch(url, { cache: "no-cache", credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(seen)
        .catch(function () { /* offline: try again at the next tick */ });
    }
    function polling() {
      poll();
      setInterval(poll, POLL_MS);
    }
    var events = node.getAttribute("data-pe-events");
    if (!events || !window.EventSource) {
      polling();
      return;
    }
    var stream = null;
    var failures = 0;
    function open() {
      stream = new EventSource(events);
      stream.onmessage = function (e) {
        failures = 0;
        try { seen(JSON.parse(e.data)); } catch (err) { /* not ours: ignore */ }
      };
      stream.onopen = function () { failures = 0; };
      stream.onerror = function () {
        if (navigator.onLine) failures += 1; /* offline: the browser tries again itself */
        /* Closed for good (an error page), or failing again and again: poll instead. */
        if (stream.readyState === 2 || failures >= STREAM_FAILURES) {
          stream.close();
          stream = null;
          doc.removeEventListener("visibilitychange", visibility);
          polling();
        }
      };
    }
    function visibility() {
      /* A hidden page keeps no connection; back in view, a new one says how things are. */
      if (doc.visibilityState === "visible") {
        if (!stream) open();
      } else if (stream) {
        stream.close();
        stream = null;
      }
    }
    doc.addEventListener("visibilitychange", visibility);
    if (doc.visibilityState === "visible") open();
  }

  var wipeForm = doc.querySelector("form[data-pe-wipe]");
  if (wiped) {
    wipe();
    forgetCookies();
  } else if (window.PeOutbox && PeOutbox.supported()) {
    outbox = PeOutbox.open({
      name: "participant",
      form: form,
      sent: sent,
      refused: refused,
      changed: updateState
    });
    if (form) {
      form.addEventListener("submit", enqueue);
      var queue = outbox.items();
      Object.keys(queue).forEach(function (id) { showPending(id, queue[id]); });
    }
    outbox.flush();
  }
  if (wipeForm) {
    if (queued()) {
      var warning = doc.getElementById("pe-unsent");
      if (warning) warning.hidden = false;
    }
    wipeForm.addEventListener("submit", wipe);
  }
  var watched = doc.querySelector("[data-pe-status]");
  if (watched && window.fetch) follow(watched);
  var worker = script && script.getAttribute("data-sw");
  if (worker && navigator.serviceWorker && !wipeForm && !wiped) {
    navigator.serviceWorker.register(worker, { scope: script.getAttribute("data-sw-scope") });
  }
})();
