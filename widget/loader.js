// Kindling loader: the one script tag a site pastes.
//   <script async src="https://COLLECTOR/kindling.js" data-site="SITE_KEY"></script>
// Optional attributes: data-api (the collector's URL, when it is not where this file
// came from), data-consent="required" (nothing stored or sent before consent) and
// data-debug (log widget problems to the console, a policy refusing WebAssembly
// among them).
// Defines the `kindling(...)` queue stub, fetches the wasm (streaming compile) and
// imports the JS glue in parallel, and starts the widget. Never throws into the page.
// When the visitor may be tracked (no consent needed and no GPC or Do Not Track, or a
// consent given earlier), it also asks the collector for the page's content at once,
// while the widget downloads: `POST /v1/boot` as the widget would send it, with the
// visitor id found first-party (or one made here and handed over, stored by the
// widget) and the visit as the widget's rules have it. The widget uses that answer
// only if its own request is the same text; otherwise it asks again.
// `kindling.forms()` loads the lead forms part, once, when a page shows a form.
// `cargo xtask bundle` strips comments and indentation and fills in the hashed names.
(function (w, d) {
  var s = d.currentScript;
  if (w.__kindling || !s) return;
  w.__kindling = 1;
  var k = w.kindling = w.kindling || function () { (k.q = k.q || []).push(arguments); };
  var base = s.src.replace(/\/[^\/]*$/, '');
  var api = (s.getAttribute('data-api') || base).replace(/\/$/, '');
  var site = s.getAttribute('data-site') || '';
  var debug = s.hasAttribute('data-debug');
  var required = s.getAttribute('data-consent') == 'required';
  var n = navigator;
  var early, forms;
  // A policy without 'wasm-unsafe-eval' refuses to compile the widget: say so plainly.
  var fail = function (e) {
    if (debug) console.warn('kindling:', /eval/.test(e) ? "this page's Content-Security-Policy blocks WebAssembly: add 'wasm-unsafe-eval' to script-src" : e);
  };
  var load = function (name) {
    return import(base + '/w/' + name + '.js').then(function (m) {
      return m.default({ module_or_path: fetch(base + '/w/' + name + '.wasm') }).then(function () { return m; });
    });
  };
  k.forms = function () {
    return forms = forms || load('__FORMS__');
  };
  var ready = function (then) {
    if (d.readyState == 'loading') d.addEventListener('DOMContentLoaded', then); else then();
  };
  var get = function (key) {
    try { return localStorage.getItem(key); } catch (e) { }
  };
  var uuid = function () {
    var b = crypto.getRandomValues(new Uint8Array(16)), t = Date.now(), i = 6, h = '';
    for (; i--; t = Math.floor(t / 256)) b[i] = t % 256;
    b[6] = b[6] & 15 | 112;
    b[8] = b[8] & 63 | 128;
    for (i = 0; i < 16; i++) h += (i == 4 || i == 6 || i == 8 || i == 10 ? '-' : '') + (b[i] + 256).toString(16).slice(1);
    return h;
  };
  var names = function (selector, attribute) {
    var out = [];
    d.querySelectorAll(selector).forEach(function (e) {
      var v = e.getAttribute(attribute);
      if (v && (attribute != 'data-kindling-lead-form' || out.indexOf(v) < 0)) out.push(v);
    });
    return out;
  };
  var boot = function () {
    var valid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    var cookie = /(?:^|;\s*)kd_vid=([^;]+)/.exec(d.cookie);
    var vid = cookie ? cookie[1] : get('kindling.vid');
    var made = !valid.test(vid || '');
    if (made) vid = uuid();
    // The visit, by the rules of `kindling_core::session`.
    var now = Date.now(), p = (get('kindling.session') || '').split('.').map(Number);
    var offset = new Date().getTimezoneOffset() * 6e4;
    var day = function (t) { return Math.floor((t - offset) / 864e5); };
    var old = p.length == 5 && p[3] >= 1 && p[1] <= p[2] && p.every(function (x, i) { return i == 0 || x >= 0; });
    var id = old && (get('kindling.session') || '').split('.')[0];
    var started = !old || now - p[2] > 18e5 || day(now) != day(p[2]) || now + 6e4 < p[1];
    var visit = started ? (old ? p[3] + 1 : 1) : p[3];
    var first = old ? p[4] : now;
    if (started) id = uuid();
    var url = location.href, ref = d.referrer, landing = get('kindling.landing');
    if (started) {
      var outside = '';
      try { if (ref && new URL(ref).hostname != location.hostname) outside = ref; } catch (e) { }
      landing = url + '\n' + outside;
    }
    landing = landing == null ? [url, ''] : landing.split('\n');
    var context = { visit: visit, first_visit_ms: first };
    if (landing[0]) context.landing = landing[0];
    if (landing[1]) context.referrer = landing[1];
    if (n.language) context.language = n.language;
    // The window's width: `innerWidth` would force a layout of a page still loading,
    // but is all there is while `outerWidth` is 0 (a window whose size is not known yet).
    var width = w.outerWidth || w.innerWidth;
    if (width) context.viewport = width;
    context.touch = n.maxTouchPoints || 0;
    context.dropped = 0;
    var request = { site: site, visitor: vid, url: url };
    if (ref) request.referrer = ref;
    request.slots = names('[data-kindling-slot]', 'data-kindling-slot');
    request.session = id;
    request.context = context;
    if (made) request.new_visitor = true;
    var embedded = names('[data-kindling-lead-form]:not(kindling-overlay)', 'data-kindling-lead-form');
    if (embedded.length) {
      request.forms = embedded;
      k.forms().catch(fail);
    }
    var body = JSON.stringify(request);
    early = {
      visitor: vid, made: made, body: body,
      session: started ? [id, now, now, visit, first].join('.') : '',
      answer: fetch(api + '/v1/boot', { method: 'POST', body: body, mode: 'cors', credentials: 'omit', keepalive: true })
        .then(function (r) { return r.ok ? r.json() : null; })
    };
    early.answer.catch(fail);
  };
  try {
    var wasm = fetch(base + '/w/__WASM__.wasm');
    wasm.catch(fail);
    var glue = import(base + '/w/__WASM__.js');
    // Storage is read once the page is parsed: a first `localStorage` read can stall the
    // parser long enough for the browser to paint a page half built.
    var allowed = function () {
      if (get('kindling.consent') == 'granted' || !required && !n.globalPrivacyControl && n.doNotTrack != '1') boot();
    };
    ready(allowed);
    glue.then(function (m) {
      return m.default({ module_or_path: wasm }).then(function () {
        // Started once the page is parsed, so no widget work splits the page's parsing.
        ready(function () {
          k.main = m.from_forms;
          m.start(site, api, debug, required, k.q || [], function () { return early; });
          var f = w.kindling = function () { m.command(arguments); };
          f.loaded = true;
          f.forms = k.forms;
          f.main = m.from_forms;
        });
      });
    }).catch(fail);
  } catch (e) { fail(e); }
})(window, document);
