// ESLint (flat config) for the map's browser code in static/js/: plain scripts that the app serves
// and folium links with <script> tags (geo/map/basemap.py, geo/map/layer.py), not modules.
// Run by .ci/run as `npx eslint static/js`; everything else in the tree is left out.
import js from "@eslint/js";
import globals from "globals";

export default [
  {ignores: ["**/*", "!static/", "!static/js/", "!static/js/**"]},
  js.configs.recommended,
  {
    files: ["static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2020,
      sourceType: "script",
      globals: {...globals.browser, L: "readonly"},  // L: Leaflet, from static/vendor/leaflet
    },
    linterOptions: {reportUnusedDisableDirectives: "error"},
    rules: {
      "eqeqeq": ["error", "always"],
      "no-implicit-globals": "error",  // what a script shares goes on window.imap, nothing else
      "no-unused-vars": ["error", {args: "after-used"}],
      "strict": ["error", "function"],
    },
  },
];
