// The rich-text editor of the KIB admin (django-prose-editor, Tiptap/ProseMirror).
//
// The package's own "configurable" preset finds the editor through an inline import map,
// which the strict content security policy forbids; this module imports the editor bundle
// by its relative static path instead, so the page needs no inline script. The extensions
// are the ones the field declares (kib/richtext.py), read from the textarea's data attribute.
import * as editor from "../django_prose_editor/editor.js";

const ATTRIBUTE = "data-django-prose-editor-configurable";

function createEditor(textarea) {
  if (textarea.closest(".prose-editor")) return null;
  const config = JSON.parse(textarea.getAttribute(ATTRIBUTE) || "{}");
  const extensions = [];
  for (const [name, options] of Object.entries(config.extensions || {})) {
    const extension = editor[name];
    if (!extension) continue;
    extensions.push(typeof options === "object" ? extension.configure(options) : extension);
  }
  return editor.createTextareaEditor(textarea, extensions);
}

editor.initializeEditors(createEditor, `[${ATTRIBUTE}]`);
