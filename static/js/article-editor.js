// The article editor (django-prose-editor's Tiptap build, vendored): turns each
// <textarea data-article-editor> into a rich-text editor whose HTML goes back into the
// textarea, and adds "Insert picture", which uploads a picture and puts it in the text.
// Built here rather than through the package's import map and injected <style>, so the
// page keeps its CSP (script-src 'self'; style-src 'self'). The server cleans the HTML
// (nh3) whatever arrives.
import {
  Blockquote,
  Bold,
  BulletList,
  Caption,
  Document,
  Dropcursor,
  Editor,
  Figure,
  Gapcursor,
  HardBreak,
  Heading,
  Image,
  History,
  HorizontalRule,
  Italic,
  Link,
  ListItem,
  Menu,
  OrderedList,
  Paragraph,
  Strike,
  Table,
  TableCell,
  TableHeader,
  TableRow,
  Text,
  Underline,
} from "../vendor/prose-editor-0.28.0/editor.js";

const EMPTY = /^<(\w+)(\s[^>]*)?><\/\1>$/i;

function csrfToken(form) {
  const field = form && form.querySelector("input[name=csrfmiddlewaretoken]");
  return field ? field.value : "";
}

function escapeAttribute(value) {
  return value.replace(/[&"<>]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function createEditor(textarea) {
  if (textarea.closest(".prose-editor")) {
    return null;
  }
  const wrapper = document.createElement("div");
  wrapper.className = "prose-editor article-editor";
  textarea.before(wrapper);
  wrapper.append(textarea);
  // The editable area replaces the textarea for screen readers too: it takes its label.
  const label = textarea.id && document.querySelector(`label[for="${textarea.id}"]`);
  const editor = new Editor({
    element: wrapper,
    injectCSS: false,
    editorProps: {
      attributes: {
        role: "textbox",
        "aria-multiline": "true",
        "aria-label": label ? label.textContent.replace(/[:：*]\s*$/, "").trim() : "",
      },
    },
    editable: !textarea.disabled,
    content: textarea.value,
    extensions: [
      Document,
      Paragraph,
      Text,
      HardBreak,
      History,
      Dropcursor,
      Gapcursor,
      Menu,
      Heading.configure({ levels: [2, 3, 4] }),
      Bold,
      Italic,
      Underline,
      Strike,
      BulletList,
      OrderedList,
      ListItem,
      Blockquote,
      HorizontalRule,
      Link,
      Image,
      Figure,
      Caption,
      Table,
      TableRow,
      TableHeader,
      TableCell,
    ],
    onUpdate({ editor: current }) {
      const html = current.getHTML();
      textarea.value = EMPTY.test(html) ? "" : html;
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    },
  });
  const uploadUrl = textarea.dataset.pictureUpload;
  if (uploadUrl) {
    addPictureUpload(wrapper, editor, uploadUrl, textarea);
  }
  return editor;
}

function addPictureUpload(wrapper, editor, uploadUrl, textarea) {
  const tools = document.createElement("div");
  tools.className = "article-editor-tools";
  const input = document.createElement("input");
  input.type = "file";
  input.accept = "image/png,image/jpeg,image/gif,image/webp";
  input.hidden = true;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button btn btn-outline-secondary btn-sm";
  button.textContent = textarea.dataset.pictureLabel || "Insert picture";
  const status = document.createElement("span");
  status.className = "article-editor-status";
  status.setAttribute("role", "status");
  tools.append(button, input, status);
  wrapper.append(tools);

  button.addEventListener("click", () => input.click());
  input.addEventListener("change", async () => {
    const file = input.files && input.files[0];
    if (!file) {
      return;
    }
    const body = new FormData();
    body.append("picture", file);
    status.classList.remove("is-error");
    status.textContent = textarea.dataset.pictureBusy || "…";
    button.disabled = true;
    try {
      const response = await fetch(uploadUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(textarea.form) },
      });
      const answer = await response.json();
      if (!response.ok) {
        throw new Error(answer.error || response.statusText);
      }
      const alt = escapeAttribute(answer.name || "");
      editor
        .chain()
        .focus()
        .insertContent(`<figure><img src="${escapeAttribute(answer.url)}" alt="${alt}"></figure>`)
        .run();
      status.textContent = textarea.dataset.pictureDone || "";
    } catch (error) {
      status.classList.add("is-error");
      status.textContent = error.message;
    } finally {
      button.disabled = false;
      input.value = "";
    }
  });
}

function initialise(root) {
  for (const textarea of root.querySelectorAll("textarea[data-article-editor]")) {
    createEditor(textarea);
  }
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => initialise(document));
} else {
  initialise(document);
}
