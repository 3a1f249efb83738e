// The HTML preview of a chapter (themes/preview.py): open at the section being edited and mark it.
document.addEventListener("DOMContentLoaded", function () {
  var selector = document.body.getAttribute("data-printed-at");
  if (!selector) return;
  var found = document.querySelectorAll(selector);
  if (!found.length) return;
  for (var i = 0; i < found.length; i++) found[i].classList.add("preview-current");
  found[0].scrollIntoView({ block: "start" });
});
