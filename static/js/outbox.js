/* Peace Exchange outbox: the one offline queue of every form a script sends.
 *
 * Protocol (participant contribute page and note-takers' quick capture alike):
 * - Each item has a client id (crypto.randomUUID, or random bytes in the same format),
 *   stored once by the server: a repeat is harmless.
 * - An item is written to localStorage["pe-outbox:<name>"] before it is sent and leaves
 *   it only when the server has answered for it; the key is removed when the queue is
 *   empty, so nothing is left on the device ("Wipe this phone" clears the rest).
 * - It goes as a plain form POST (urlencoded, the page's current CSRF token) with the
 *   header `X-Requested-With: outbox`, which the views read to answer with a fragment
 *   (participants) or JSON (capture) instead of a redirect.
 * - 200/201: stored (unless redirected, e.g. to the log-in page). 403 with a fresh token in the answer (an expired page): sent again
 *   once with it. No network, 429 or 5xx: kept and sent again after 1, 2, 4, 8, then
 *   every 15 s, at once on `online` and on every page load. Anything else is refused
 *   for good: the page shows why and gives the text back.
 * Loaded classically (no modules, no build step), ES2015 at most, before the page's
 * script: it defines window.PeOutbox.
 */
(function (window) {
  "use strict";
  var HEADER = "X-Requested-With";
  var HEADER_VALUE = "outbox";
  var BACKOFF_MS = [1000, 2000, 4000, 8000, 15000];

  function newId() {
    var crypto = window.crypto;
    if (crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    if (crypto && crypto.getRandomValues) {
      crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40; /* version 4 */
    bytes[8] = (bytes[8] & 0x3f) | 0x80; /* variant */
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 256).toString(16).slice(1);
    }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20),
      hex.slice(20)].join("-");
  }

  function supported() {
    return !!(window.fetch && window.URLSearchParams && window.FormData && window.localStorage);
  }

  function freshToken(html) {
    var match = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(html || "");
    return match ? match[1] : null;
  }

  /* options: name (storage key suffix), form (whose CSRF token is current), and the
   * callbacks sent(id, item, status, text), refused(id, item, status, text) → false to
   * keep the item queued, changed(count) after every change of the queue's state. */
  function open(options) {
    var key = "pe-outbox:" + options.name;
    var busy = false;
    var timer = null;
    var failures = 0;

    function load() {
      try {
        return JSON.parse(window.localStorage.getItem(key)) || {};
      } catch (e) {
        return {};
      }
    }

    function save(queue) {
      try {
        if (Object.keys(queue).length) {
          window.localStorage.setItem(key, JSON.stringify(queue));
        } else {
          window.localStorage.removeItem(key);
        }
      } catch (e) { /* storage full or blocked: the send still goes out now */ }
    }

    function update(id, item) {
      var queue = load();
      if (item) {
        queue[id] = item;
      } else {
        delete queue[id];
      }
      save(queue);
    }

    function ordered() {
      var queue = load();
      return Object.keys(queue).sort(function (a, b) {
        return (queue[a].at || 0) - (queue[b].at || 0);
      });
    }

    function changed() {
      if (options.changed) options.changed(Object.keys(load()).length);
    }

    function tokenInput() {
      return options.form && options.form.querySelector("[name=csrfmiddlewaretoken]");
    }

    function later() {
      busy = false;
      changed();
      if (timer) return;
      var wait = BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)];
      failures += 1;
      timer = window.setTimeout(function () {
        timer = null;
        flush();
      }, wait);
    }

    function handle(id, item, status, text) {
      if (status === 200 || status === 201) {
        failures = 0;
        update(id, null);
        if (options.sent) options.sent(id, item, status, text);
        return "next";
      }
      if (status === 403 && !item.retried) {
        var token = freshToken(text);
        if (token) {
          var input = tokenInput();
          if (input) input.value = token;
          var body = new URLSearchParams(item.body);
          body.set("csrfmiddlewaretoken", token);
          item.body = body.toString();
          item.retried = true;
          update(id, item);
          return "again";
        }
      }
      if (status === 429 || status >= 500) return "later";
      if (!options.refused || options.refused(id, item, status, text) !== false) update(id, null);
      return "next";
    }

    function sendNext(ids, index) {
      if (index >= ids.length) {
        /* Items queued while these were being sent (add() found the queue busy). */
        var fresh = ordered().filter(function (id) { return ids.indexOf(id) < 0; });
        if (fresh.length) {
          sendNext(ids.concat(fresh), ids.length);
          return;
        }
        busy = false;
        changed();
        return;
      }
      var id = ids[index];
      var item = load()[id];
      if (!item) {
        sendNext(ids, index + 1);
        return;
      }
      var body = new URLSearchParams(item.body);
      var input = tokenInput();
      if (input && input.value && !item.retried) body.set("csrfmiddlewaretoken", input.value);
      var headers = { "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8" };
      headers[HEADER] = HEADER_VALUE;
      window.fetch(item.url, {
        method: "POST",
        body: body.toString(),
        credentials: "same-origin",
        headers: headers
      }).then(function (response) {
        return response.text().then(function (text) {
          /* Redirected (a staff session expired: the log-in page): not stored, keep it. */
          var next = response.redirected ? "later" : handle(id, item, response.status, text);
          if (next === "later") {
            later();
          } else {
            sendNext(ids, next === "again" ? index : index + 1);
          }
        });
      }).catch(later);
    }

    function flush() {
      if (busy) return;
      if (timer) {
        window.clearTimeout(timer);
        timer = null;
      }
      var ids = ordered();
      if (!ids.length) {
        changed();
        return;
      }
      busy = true;
      sendNext(ids, 0);
    }

    /* Queue a form's fields (a FormData) for url; the item is sent at once. */
    function add(url, data, text) {
      var fields = new URLSearchParams(data);
      var id = fields.get("client_id");
      if (!id) {
        id = newId();
        fields.set("client_id", id);
      }
      var item = { url: url, body: fields.toString(), text: text, at: Date.now() };
      update(id, item);
      changed();
      flush();
      return id;
    }

    window.addEventListener("online", flush);
    window.addEventListener("offline", changed);
    return { add: add, flush: flush, items: load };
  }

  window.PeOutbox = { open: open, newId: newId, supported: supported };
})(window);
