/* Copy buttons for the "Cite this" block. Progressive enhancement: without this
   script (or without clipboard access) the citations are plain, selectable text. */
(function () {
  "use strict";
  if (!window.isSecureContext || !navigator.clipboard) return;
  var citation = document.querySelector(".citation");
  if (!citation) return;
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  citation.appendChild(status);
  citation.querySelectorAll(".cite-text").forEach(function (text) {
    var term = text.closest("dd") && text.closest("dd").previousElementSibling;
    var style = term ? term.textContent.trim() : "";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = "Copy";
    button.setAttribute("aria-label", ("Copy the " + style + " citation").replace("  ", " "));
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(text.textContent.trim()).then(
        function () { done(button, "Copied", style + " citation copied"); },
        function () { done(button, "Select and copy", "Copying failed; select the text"); }
      );
    });
    text.after(button);
  });
  function done(button, label, message) {
    button.textContent = label;
    status.textContent = message;
    setTimeout(function () { button.textContent = "Copy"; }, 2000);
  }
})();
