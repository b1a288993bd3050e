// Kindling loader: the one script tag a site pastes.
//   <script async src="https://COLLECTOR/kindling.js" data-site="SITE_KEY"></script>
// Optional attributes: data-api (the collector's URL, when it is not where this file
// came from), data-consent="required" (nothing stored or sent before consent) and
// data-debug (log widget problems to the console, a policy refusing WebAssembly
// among them).
// Defines the `kindling(...)` queue stub, then fetches the wasm (streaming compile)
// and imports the JS glue in parallel, and starts the widget. Never throws into the page.
// `cargo xtask bundle` strips comments and indentation and fills in the hashed names.
(function (w, d) {
  var s = d.currentScript;
  if (w.__kindling || !s) return;
  w.__kindling = 1;
  var k = w.kindling = w.kindling || function () { (k.q = k.q || []).push(arguments); };
  var base = s.src.replace(/\/[^\/]*$/, '');
  var debug = s.hasAttribute('data-debug');
  // A policy without 'wasm-unsafe-eval' refuses to compile the widget: say so plainly.
  var fail = function (e) {
    if (debug) console.warn('kindling:', /eval/.test(e) ? "this page's Content-Security-Policy blocks WebAssembly: add 'wasm-unsafe-eval' to script-src" : e);
  };
  try {
    var wasm = fetch(base + '/w/__WASM__');
    wasm.catch(fail);
    import(base + '/w/__GLUE__').then(function (m) {
      return m.default({ module_or_path: wasm }).then(function () {
        var q = k.q || [];
        m.start(s.getAttribute('data-site') || '', s.getAttribute('data-api') || base, debug,
          s.getAttribute('data-consent') == 'required', q);
        w.kindling = function () { m.command(arguments); };
        w.kindling.loaded = true;
      });
    }).catch(fail);
  } catch (e) { fail(e); }
})(window, document);
