/* Peace Exchange, participant pages: small enhancements on top of plain forms.
 *
 * - Sending a contribution is one round trip (fetch, a fragment back, no redirect).
 * - Every send is first written to localStorage under its client id, shown as
 *   "waiting to send", and removed only when the server confirms it. The queue is
 *   sent again on the `online` event and on every page load, so nothing is lost.
 * - A repeat of a client id is harmless (the server stores it once); a conflict
 *   (409) shows the stored text and gives the user's text back.
 * - "Wipe this phone" also empties localStorage, caches and readable cookies.
 * - The session state (open, voting, closed) is followed with a tiny polled
 *   status document that answers 304 when nothing changed.
 * No inline code anywhere (strict CSP); no framework; plain ES2015.
 */
(function () {
  "use strict";
  var KEY = "pe-queue";
  var RETRY_MS = 15000;
  var POLL_MS = 20000;
  var doc = document;
  var script = doc.currentScript;
  var form = doc.querySelector("form[data-pe-send]");
  var own = doc.getElementById("own");
  var stateLine = doc.getElementById("pe-sending");
  var busy = false;
  var retryTimer = null;

  function say(name) {
    return (form && form.getAttribute("data-" + name)) || "";
  }

  function load() {
    try {
      return JSON.parse(localStorage.getItem(KEY)) || {};
    } catch (e) {
      return {};
    }
  }

  function save(queue) {
    try {
      if (Object.keys(queue).length) {
        localStorage.setItem(KEY, JSON.stringify(queue));
      } else {
        localStorage.removeItem(KEY);
      }
    } catch (e) { /* storage full or blocked: the send still goes out now */ }
  }

  function forget(id) {
    var queue = load();
    delete queue[id];
    save(queue);
  }

  function newId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return (b + 256).toString(16).slice(1);
    }).join("");
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

  function updateState() {
    if (!stateLine) return;
    var count = Object.keys(load()).length;
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

  function freshToken(html) {
    var match = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(html);
    return match ? match[1] : null;
  }

  function handle(id, item, status, html) {
    var pending = rowFor(id);
    if (status === 200 || status === 201) {
      forget(id);
      if (stateLine) stateLine.setAttribute("data-done", "1");
      var row = fragment(html);
      if (own) {
        if (pending) {
          own.replaceChild(row, pending);
        } else if (!rowFor(id) && form && item.url === form.action) {
          var empty = own.querySelector(".empty");
          if (empty) empty.remove();
          own.insertBefore(row, own.firstChild);
        }
      }
      return "next";
    }
    if (status === 403 && !item.retried) {
      var token = freshToken(html);
      if (token) {
        var body = new URLSearchParams(item.body);
        body.set("csrfmiddlewaretoken", token);
        item.body = body.toString();
        item.retried = true;
        var queue = load();
        queue[id] = item;
        save(queue);
        var input = form && form.querySelector("[name=csrfmiddlewaretoken]");
        if (input) input.value = token;
        return "again";
      }
    }
    if (status === 429 || status >= 500) return "later";
    if (!form) return "next"; /* keep it queued until a page can show it back */
    forget(id);
    if (pending) pending.remove();
    showProblem(item, html);
    return "next";
  }

  function flush() {
    if (busy) return;
    var ids = Object.keys(load());
    if (!ids.length) {
      updateState();
      return;
    }
    busy = true;
    sendNext(ids, 0);
  }

  function later() {
    busy = false;
    updateState();
    if (!retryTimer) {
      retryTimer = setTimeout(function () {
        retryTimer = null;
        flush();
      }, RETRY_MS);
    }
  }

  function sendNext(ids, index) {
    if (index >= ids.length) {
      busy = false;
      updateState();
      return;
    }
    var id = ids[index];
    var item = load()[id];
    if (!item) {
      sendNext(ids, index + 1);
      return;
    }
    fetch(item.url, {
      method: "POST",
      body: item.body,
      credentials: "same-origin",
      headers: {
        "HX-Request": "true",
        "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"
      }
    }).then(function (response) {
      return response.text().then(function (html) {
        var next = handle(id, item, response.status, html);
        if (next === "later") {
          later();
        } else {
          sendNext(ids, next === "again" ? index : index + 1);
        }
      });
    }).catch(later);
  }

  function enqueue(event) {
    event.preventDefault();
    var area = form.querySelector("[name=text]");
    if (!area.value.trim()) {
      area.focus();
      return;
    }
    var data = new URLSearchParams(new FormData(form));
    var id = data.get("client_id");
    var item = { url: form.action, body: data.toString(), text: data.get("text"), at: Date.now() };
    var queue = load();
    queue[id] = item;
    save(queue);
    showPending(id, item);
    area.value = "";
    form.querySelector("[name=client_id]").value = newId();
    var quotable = form.querySelector("[name=quotable]");
    if (quotable) quotable.checked = false;
    flush();
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
      if (!typing && !Object.keys(load()).length) {
        location.reload();
      } else if (node.id === "pe-state") {
        node.hidden = false;
      }
    }
    function poll() {
      if (doc.visibilityState !== "visible" || !navigator.onLine) return;
      fetch(url, { cache: "no-cache", credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (states) {
          if (!states) return;
          if (session) {
            if (known && states.sessions[session] && states.sessions[session] !== known) changed();
          } else {
            var now = JSON.stringify(states);
            if (baseline !== null && now !== baseline) changed();
            baseline = now;
          }
        })
        .catch(function () { /* offline: try again at the next tick */ });
    }
    poll();
    setInterval(poll, POLL_MS);
  }

  if (form && window.fetch && window.URLSearchParams && window.localStorage) {
    form.addEventListener("submit", enqueue);
    var queue = load();
    Object.keys(queue).forEach(function (id) { showPending(id, queue[id]); });
  }
  var wipeForm = doc.querySelector("form[data-pe-wipe]");
  if (wipeForm) {
    if (Object.keys(load()).length) {
      var warning = doc.getElementById("pe-unsent");
      if (warning) warning.hidden = false;
    }
    wipeForm.addEventListener("submit", wipe);
  }
  if (location.search.indexOf("wiped") !== -1) {
    wipe();
    forgetCookies();
  }
  var watched = doc.querySelector("[data-pe-status]");
  if (watched && window.fetch) follow(watched);
  if (window.fetch) {
    window.addEventListener("online", flush);
    window.addEventListener("offline", updateState);
    flush();
  }
  var worker = script && script.getAttribute("data-sw");
  if (worker && navigator.serviceWorker && !wipeForm && location.search.indexOf("wiped") === -1) {
    navigator.serviceWorker.register(worker, { scope: script.getAttribute("data-sw-scope") });
  }
})();
