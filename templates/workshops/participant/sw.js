{% load static %}/* Peace Exchange service worker: network first for participant pages, the last copy
 * when there is no network; static files from the cache, refreshed in the background.
 * "Wipe this phone" deletes these caches and unregisters the worker. */
"use strict";
var CACHE = "pe-pages-v1";
var STATIC = "{% get_static_prefix %}";

function keep(request, response) {
  if (response.ok && response.type === "basic") {
    var copy = response.clone();
    caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
  }
  return response;
}

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });
self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request).then(function (response) { return keep(request, response); })
        .catch(function () {
          return caches.match(request).then(function (hit) { return hit || Response.error(); });
        })
    );
  } else if (url.pathname.indexOf(STATIC) === 0) {
    event.respondWith(caches.match(request).then(function (hit) {
      var fresh = fetch(request).then(function (response) { return keep(request, response); });
      if (hit) {
        fresh.catch(function () { return null; });
        return hit;
      }
      return fresh;
    }));
  }
});
