// After a failed submit, take the reader straight to what needs fixing. Without
// JavaScript the form's action (#error-summary) scrolls there; this also moves focus.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
}());
