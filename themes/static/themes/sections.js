// The chapter's section page folds each stacked part under its title ("Bewerken", closed).
// A part the editor has just added with "Nog een … toevoegen" opens at once, its first field
// focused: it is what they came to write, and a closed fold looks like nothing happened.
"use strict";
document.addEventListener("formset:added", (event) => {
  const row = event.target;
  if (!(row instanceof Element)) return;
  row.querySelectorAll("details").forEach((fold) => { fold.open = true; });
  const first = [...row.querySelectorAll("input, textarea, select")].find(
    (field) => !["hidden", "checkbox"].includes(field.type) && !field.classList.contains("_reorder_") && field.offsetParent !== null
  );
  if (first) first.focus();
});
