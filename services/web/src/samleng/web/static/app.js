// Samleng portal: progressive enhancement only. Every page works without this file.
// - place pickers fill themselves (no "show the next list" round trip)
// - every submission waits on this device (IndexedDB) with its Idempotency-Key until it
//   has been answered: offline, or when the network drops it, it is sent when the network
//   returns; intake answers a retry with the same code, so it lands once
// - copy / print the tracking code; "leave quickly" also forgets the queue
"use strict";
(function () {
  document.documentElement.classList.add("js");
  var lang = document.documentElement.lang === "en" ? "en" : "km";
  var DB = "samleng", STORE = "queue";

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function store(mode, work) {
    return new Promise(function (resolve, reject) {
      var open = indexedDB.open(DB, 1);
      open.onupgradeneeded = function () { open.result.createObjectStore(STORE, { keyPath: "key" }); };
      open.onerror = function () { reject(open.error); };
      open.onsuccess = function () {
        var tx = open.result.transaction(STORE, mode), request = work(tx.objectStore(STORE));
        tx.oncomplete = function () { open.result.close(); resolve(request && request.result); };
        tx.onerror = function () { open.result.close(); reject(tx.error); };
      };
    });
  }

  function status(text) {
    var box = document.getElementById("queue-status");
    if (!box) return;
    box.textContent = text || "";
    box.hidden = !text;
  }

  function setupPlaces() {
    var levels = ["province", "district", "commune", "village"];
    levels.slice(0, 3).forEach(function (level, i) {
      var select = document.getElementById(level);
      if (!select) return;
      select.addEventListener("change", function () {
        var below = levels.slice(i + 1).map(function (l) { return document.getElementById(l); });
        below.forEach(function (s) { s.length = 1; });
        if (!select.value) return;
        fetch("/places.json?parent=" + encodeURIComponent(select.value))
          .then(function (r) { return r.json(); })
          .then(function (data) {
            data.places.forEach(function (p) { below[0].add(new Option(p.name[lang] || p.name.km, p.code)); });
          })
          .catch(function () { /* offline and not cached: the no-JS button still works */ });
      });
    });
  }

  function setupSubmit() {
    var form = document.getElementById("submit-form");
    if (!form) return;
    // A fresh page (or one the service worker kept) gets its own key; a page that shows
    // errors keeps the key it was posted with, so a retry cannot make a second case.
    if (!document.getElementById("form-error")) form.elements.idempotency_key.value = uuid();
    var photos = document.getElementById("photos");
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (submitter && submitter.name === "refresh") return;
      if (photos && photos.files.length > Number(photos.dataset.max)) {
        event.preventDefault();
        photos.setAttribute("aria-invalid", "true");
        photos.focus();
        return;
      }
      if (!window.indexedDB || !window.fetch) return; // a plain form post
      // Every submission waits in the queue first and is sent from there: offline, or on a
      // network that drops the request, it stays until it has been answered.
      event.preventDefault();
      var fields = [];
      new FormData(form).forEach(function (value, name) { fields.push([name, value]); });
      var entry = { key: form.elements.idempotency_key.value, action: form.action, fields: fields, at: Date.now() };
      var send = document.getElementById("send");
      store("readwrite", function (s) { return s.put(entry); }).then(function () {
        if (send) send.disabled = true;
        flush();
      }, function () { form.submit(); });
    });
  }

  function show(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var main = page.querySelector("main");
    if (!main) return;
    document.querySelector("main").replaceWith(main);
    document.title = page.title;
    main.focus();
    setup();
  }

  var flushing = false, pending = false, retry = null;
  function queued() {
    var box = document.getElementById("queue-status");
    if (box) status(box.dataset.queued);
    var send = document.getElementById("send");
    if (send) send.disabled = false;
  }

  function flush() {
    if (!window.indexedDB) return;
    if (flushing) { pending = true; return; } // one sender at a time; go again when it ends
    clearTimeout(retry);
    flushing = true;
    pending = false;
    store("readonly", function (s) { return s.getAll(); }).then(function (entries) {
      if (entries.length && !navigator.onLine) throw new Error("offline");
      return entries.reduce(function (chain, entry) {
        return chain.then(function () { return send(entry); });
      }, Promise.resolve());
    }).catch(function () {
      queued(); // kept on this device; the "online" event or the next try sends it
      retry = setTimeout(flush, 30000);
    }).then(function () {
      flushing = false;
      if (pending) flush();
    });
  }

  function send(entry) {
    var box = document.getElementById("queue-status");
    if (box) status(box.dataset.sending);
    var body = new FormData();
    entry.fields.forEach(function (f) {
      if (f[1] instanceof Blob) body.append(f[0], f[1], f[1].name || "photo");
      else body.append(f[0], f[1]);
    });
    return fetch(entry.action, { method: "POST", body: body, credentials: "same-origin" }).then(function (response) {
      if (response.status >= 500 || response.status === 429) throw new Error("retry later");
      return response.text().then(function (html) {
        return store("readwrite", function (s) { return s.delete(entry.key); }).then(function () { show(html); });
      });
    });
  }

  function setupReceipt() {
    var code = document.getElementById("tracking-code");
    var copy = document.getElementById("copy-code"), print = document.getElementById("print-page");
    if (!code || !copy) return;
    if (navigator.clipboard) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        navigator.clipboard.writeText(code.dataset.code).then(function () { copy.textContent = copy.dataset.copied; });
      });
    }
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }

  function setupLeave() {
    var link = document.getElementById("leave");
    if (!link) return;
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var go = function () { location.replace("/leave"); };
      try { var del = indexedDB.deleteDatabase(DB); del.onsuccess = del.onerror = del.onblocked = go; } catch (e) { go(); }
      setTimeout(go, 300);
    });
  }

  function setup() { setupPlaces(); setupSubmit(); setupReceipt(); setupLeave(); }

  setup();
  window.addEventListener("online", flush);
  flush();
  if ("serviceWorker" in navigator && document.body.classList.contains("citizen")) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
  }
})();
