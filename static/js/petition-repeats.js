// 重复诉求 while a member types a petition (templates/petitions/submit.html): their own
// enterprise's similar petitions, from the JSON of petitions:similar, each open one with
// a button that posts what was typed to it as an addition. Without this script the page
// shows the same list after "Submit" (petitions/views_repeats.py similar_first).
(() => {
  const script = document.currentScript;
  const form = document.getElementById("petition-form");
  const box = document.getElementById("similar-live");
  const list = document.getElementById("similar-list");
  if (!form || !box || !list) return;
  const title = form.querySelector("[name=title]");
  const description = form.querySelector("[name=description]");
  const addLabel = script.dataset.addLabel;
  const endedLabel = script.dataset.endedLabel;
  let timer = null;
  let asked = "";

  function item(found) {
    const li = document.createElement("li");
    li.className = "list-group-item";
    const head = document.createElement("div");
    head.className = "d-flex justify-content-between align-items-start gap-2";
    const link = document.createElement("a");
    link.className = "text-break fw-semibold";
    link.href = found.url;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = found.title;
    const badge = document.createElement("span");
    badge.className = `badge text-nowrap ${found.open ? "text-bg-primary" : "text-bg-secondary"}`;
    badge.textContent = found.status;
    head.append(link, badge);
    const number = document.createElement("div");
    number.className = "small text-body-secondary";
    number.textContent = found.open ? found.number : `${found.number} · ${endedLabel}`;
    li.append(head, number);
    if (found.add_url) {
      const button = document.createElement("button");
      button.type = "submit";
      button.className = "btn btn-primary btn-sm mt-2";
      button.formAction = found.add_url;
      button.formNoValidate = true;
      button.textContent = addLabel;
      li.append(button);
    }
    return li;
  }

  async function ask() {
    const query = new URLSearchParams({
      title: title.value.slice(0, 200),
      description: description.value.slice(0, 5000),
    }).toString();
    if (query === asked || (title.value + description.value).trim().length < 6) return;
    asked = query;
    try {
      const response = await fetch(`${form.dataset.similarUrl}?${query}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok || query !== asked) return;
      const { suggestions } = await response.json();
      list.replaceChildren(...suggestions.map(item));
      box.classList.toggle("d-none", suggestions.length === 0);
    } catch {
      // Offline or refused: the page still shows them after "Submit".
    }
  }

  for (const field of [title, description]) {
    field?.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(ask, 600);
    });
  }
})();
