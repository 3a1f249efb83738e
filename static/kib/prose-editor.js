// The rich-text editor of the KIB admin (django-prose-editor, Tiptap/ProseMirror).
//
// The package's own "configurable" preset finds the editor through an inline import map,
// which the strict content security policy forbids; this module imports the editor bundle
// by its relative static path instead, so the page needs no inline script. Each textarea names
// its preset (data-kib-prose-editor="richtext"); the presets' extensions are read once a page
// from prose-editor-presets.json, which kib/richtext.py declares (and its tests keep equal).
import * as editor from "../django_prose_editor/editor.js";

const ATTRIBUTE = "data-kib-prose-editor";
const PRESETS = await fetch(new URL("./prose-editor-presets.json", import.meta.url)).then((response) => {
  if (!response.ok) throw new Error(`prose-editor-presets.json: ${response.status}`);
  return response.json();
});

// The package's link dialog leaves the linked words selected once the link is set, so the
// next key an editor presses replaces them: Enter right after making a link deleted its text.
// KIB's link does what Word does: once the link is set, the caret stands right after it.
const Link = editor.Link.extend({
  addCommands() {
    return {
      ...this.parent?.(),
      addLink:
        () =>
        ({ editor: tiptap }) => {
          if (tiptap.state.selection.empty && !tiptap.isActive("link")) return false;
          const gettext = window.gettext || ((text) => text);
          const dialog = editor.updateAttrsDialog(
            { href: { type: "string", title: gettext("URL") }, title: { type: "string", title: gettext("Title") } },
            { title: gettext("Edit Link") },
          );
          dialog(tiptap, tiptap.getAttributes(this.name)).then((attrs) => {
            if (!attrs) return;
            const chain = tiptap.chain().focus();
            if (tiptap.isActive("link")) chain.extendMarkRange(this.name).updateAttributes(this.name, attrs);
            else chain.setMark(this.name, attrs);
            chain.command(({ tr, commands }) => commands.setTextSelection(tr.selection.to)).run();
          });
          return true;
        },
    };
  },
});
const EXTENSIONS = { ...editor, Link };

function createEditor(textarea) {
  if (textarea.closest(".prose-editor")) return null;
  const config = PRESETS[textarea.getAttribute(ATTRIBUTE)];
  if (!config) return null; // an unknown preset: the field stays a textarea
  const extensions = [];
  for (const [name, options] of Object.entries(config.extensions || {})) {
    const extension = EXTENSIONS[name];
    if (!extension) continue;
    extensions.push(typeof options === "object" ? extension.configure(options) : extension);
  }
  const instance = editor.createTextareaEditor(textarea, extensions);
  translateToolbar(textarea);
  return instance;
}

// The toolbar's button titles are English in the package; the Dutch ones come from the
// admin's JavaScript catalogue (locale/nl/LC_MESSAGES/djangojs.po).
function translateToolbar(textarea) {
  const gettext = window.gettext || ((text) => text);
  const wrapper = textarea.closest(".prose-editor") || textarea.parentElement;
  const translate = () => {
    for (const button of wrapper.querySelectorAll(".prose-menubar__button[title]:not([data-kib-title])")) {
      const label = gettext(button.getAttribute("title"));
      button.setAttribute("data-kib-title", "");
      button.setAttribute("title", label);
      button.setAttribute("aria-label", label);
    }
  };
  translate();
  // The menu bar is built once the editor view exists.
  new MutationObserver(translate).observe(wrapper, { childList: true, subtree: true });
}

editor.initializeEditors(createEditor, `[${ATTRIBUTE}]`);
