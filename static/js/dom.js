/*
 * The DOM helper the map's scripts share (static/js/basemap.js, static/js/incident-layer.js).
 *
 * Text is set with textContent, never parsed as HTML: a "<script>", "<img onerror>" or "${…}"
 * in a record shows as text. Loaded before the scripts that use it (geo/map/basemap.py and
 * geo/map/layer.py list it first in their default_js).
 */
(function (imap) {
  "use strict";

  /** A new element: tag name, class (or null) and text (or undefined for none). */
  imap.el = function (tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  };
})(window.imap = window.imap || {});
