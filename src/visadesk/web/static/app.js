// visadesk: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // A roster upload form becomes a drop zone: dropping a file puts it in the
  // form's file input (the plain file picker keeps working).
  function dropzone(form) {
    var area = form.querySelector("[data-dropzone-area]");
    var input = form.querySelector('input[type="file"]');
    var hint = form.querySelector("[data-drop-hint]");
    var chosen = form.querySelector("[data-chosen]");
    if (!area || !input) return;
    if (hint) hint.hidden = false;

    function show() {
      if (chosen) chosen.textContent = input.files && input.files.length ? input.files[0].name : "";
    }
    input.addEventListener("change", show);
    ["dragenter", "dragover"].forEach(function (name) {
      area.addEventListener(name, function (event) {
        event.preventDefault();
        area.classList.add("dragging");
      });
    });
    ["dragleave", "dragend"].forEach(function (name) {
      area.addEventListener(name, function () { area.classList.remove("dragging"); });
    });
    area.addEventListener("drop", function (event) {
      event.preventDefault();
      area.classList.remove("dragging");
      var files = event.dataTransfer && event.dataTransfer.files;
      if (!files || !files.length) return;
      var transfer = new DataTransfer();
      transfer.items.add(files[0]);
      input.files = transfer.files;
      show();
      var button = form.querySelector('button[type="submit"]');
      if (button) button.focus();
    });
  }

  function init(root) {
    (root || document).querySelectorAll("form[data-dropzone]").forEach(function (form) {
      if (form.dataset.dropzoneReady) return;
      form.dataset.dropzoneReady = "1";
      dropzone(form);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
