// Samleng service worker: the portal's pages and assets for offline use. It never keeps a
// case: only GET pages without personal data (the submit and track forms) are cached.
"use strict";
var VERSION = "samleng-__VERSION__";
var ASSETS = __ASSETS__;
var PAGES = ["/", "/?lang=en", "/track", "/track?lang=en"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(VERSION).then(function (cache) {
    return cache.addAll(ASSETS.concat(PAGES));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== VERSION; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function networkFirst(request) {
  return fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(VERSION).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request).then(function (hit) { return hit || Response.error(); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(request).then(function (hit) { return hit || fetch(request); }));
  } else if (url.pathname === "/places.json" || PAGES.indexOf(url.pathname + url.search) >= 0) {
    event.respondWith(networkFirst(request));
  }
});
