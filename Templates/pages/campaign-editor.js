// The campaign workspace's script (plain JavaScript, no build step, nothing from elsewhere). Without it the
// workspace still works: every button submits the form and the preview comes back with the page. With it:
// a small Markdown toolbar over the body, the preview of the real message updated as the words change, the
// Template list narrowed to the chosen kind, the browser's own time zone, and the saved segment counted.
(function () {
  "use strict";

  var form = document.querySelector("form[data-workspace]");
  if (!form) { return; }
  var body = form.querySelector("#body");
  var format = form.querySelector("#format");
  var kind = form.querySelector("#kind");
  var template = form.querySelector("#template");
  var zone = form.querySelector("#time_zone");
  var sendAt = form.querySelector("#send_at");
  var pane = document.querySelector("[data-preview]");

  // --- The Markdown toolbar: each button puts Markdown around the selection (or at the cursor). ---
  function surround(before, after, placeholder) {
    var start = body.selectionStart, end = body.selectionEnd, value = body.value;
    var chosen = value.slice(start, end) || placeholder;
    body.value = value.slice(0, start) + before + chosen + after + value.slice(end);
    body.focus();
    body.setSelectionRange(start + before.length, start + before.length + chosen.length);
    body.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function eachLine(prefix) {
    var value = body.value, start = value.lastIndexOf("\n", body.selectionStart - 1) + 1;
    var end = body.selectionEnd, lines = value.slice(start, end).split("\n");
    var changed = lines.map(function (line) { return line.indexOf(prefix) === 0 ? line : prefix + line; }).join("\n");
    body.value = value.slice(0, start) + changed + value.slice(end);
    body.focus();
    body.setSelectionRange(start + changed.length, start + changed.length);
    body.dispatchEvent(new Event("input", { bubbles: true }));
  }

  var tools = [
    ["Bold", function () { surround("**", "**", "bold text"); }],
    ["Italic", function () { surround("*", "*", "italic text"); }],
    ["Link", function () {
      var address = window.prompt("The link's address", "https://");
      if (address) { surround("[", "](" + address + ")", "link text"); }
    }],
    ["Bulleted list", function () { eachLine("- "); }],
    ["Heading", function () { eachLine("## "); }]
  ];
  var toolbar = document.createElement("div");
  toolbar.className = "markdown-tools";
  toolbar.setAttribute("role", "toolbar");
  toolbar.setAttribute("aria-label", "Markdown");
  toolbar.setAttribute("aria-controls", "body");
  tools.forEach(function (tool) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = tool[0];
    button.addEventListener("click", tool[1]);
    toolbar.appendChild(button);
  });
  body.parentNode.insertBefore(toolbar, body);
  function showTools() { toolbar.hidden = format.value !== "markdown"; }
  format.addEventListener("change", showTools);
  showTools();

  // --- The Template list offers only the chosen kind's templates. ---
  function narrowTemplates() {
    var first = null, keep = false;
    Array.prototype.forEach.call(template.options, function (option) {
      var fits = option.getAttribute("data-kind") === kind.value;
      option.hidden = !fits;
      option.disabled = !fits;
      if (fits && !first) { first = option; }
      if (fits && option.selected) { keep = true; }
    });
    if (!keep && first) { first.selected = true; }
  }
  kind.addEventListener("change", function () { narrowTemplates(); schedulePreview(); });
  narrowTemplates();

  // --- The time zone: the browser's own until one is chosen; an edited campaign's due time shown in it. ---
  function localTime(iso, timeZone) {
    // "sv-SE" writes "2026-03-01 09:00:00", which a date-and-time control takes with a "T".
    return new Date(iso).toLocaleString("sv-SE", { timeZone: timeZone, hour12: false }).replace(" ", "T");
  }
  var browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var offered = browserZone && Array.prototype.some.call(zone.options, function (option) { return option.text === browserZone; });
  if (offered && zone.value === "UTC") {
    var due = sendAt.getAttribute("data-due-utc");
    if (!sendAt.value) {
      zone.value = browserZone;
    } else if (due && sendAt.value === localTime(due, "UTC")) {
      zone.value = browserZone;
      sendAt.value = localTime(due, browserZone);
    }
  }

  // --- The saved segment counted (the console's script counts products and purposes). ---
  var output = form.querySelector("output.audience");
  var segment = form.querySelector("#segment");
  function countSegment() {
    if (!segment.value) { return; }
    var query = new URLSearchParams({ kind: kind.value, segment: segment.value });
    fetch("/console/campaigns/audience?" + query.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (answer) { return answer.json().then(function (json) { return { ok: answer.ok, body: json }; }); })
      .then(function (answer) {
        if (!answer.ok) { output.textContent = answer.body.error; return; }
        var size = answer.body.audience === null ? "Fewer than " + answer.body.fewer_than : answer.body.audience.toLocaleString("en");
        output.textContent = size + " people would receive it now.";
      }).catch(function () { output.textContent = ""; });
  }
  segment.addEventListener("change", countSegment);
  kind.addEventListener("change", function () { setTimeout(countSegment, 300); });

  // --- The live preview: the real message for what is typed, a moment after typing stops. ---
  if (!pane) { return; }
  var state = pane.querySelector("[data-preview-state]");
  var problem = pane.querySelector("[data-preview-problem]");
  var message = pane.querySelector("[data-preview-message]");
  var frame = pane.querySelector("[data-preview-frame]");
  var timer = null, asked = 0;

  // The HTML part at the chosen width, scaled down to fit the pane when the pane is narrower (without the
  // script the frame's box scrolls instead).
  var desktop = pane.querySelector("#width-desktop");
  function fitFrame() {
    var box = frame.parentNode, wanted = desktop.checked ? 800 : 390;
    frame.style.transform = "";
    box.style.height = "";
    box.style.overflow = "";
    var room = box.clientWidth;
    if (room > 0 && room < wanted) {
      var scale = room / wanted;
      frame.style.transformOrigin = "0 0";
      frame.style.transform = "scale(" + scale + ")";
      box.style.height = Math.ceil(frame.offsetHeight * scale) + "px";
      box.style.overflow = "hidden";
    }
  }
  pane.querySelectorAll("input[name=preview_width]").forEach(function (radio) { radio.addEventListener("change", fitFrame); });
  window.addEventListener("resize", fitFrame);

  function schedulePreview() {
    clearTimeout(timer);
    timer = setTimeout(preview, 500);
  }

  function preview() {
    var fields = new URLSearchParams(new FormData(form));
    fields.delete("action");
    var mine = ++asked;
    state.textContent = "Updating the preview…";
    fetch("/console/campaigns/preview.json", {
      method: "POST", credentials: "same-origin", body: fields,
      headers: { Accept: "application/json" }
    }).then(function (answer) {
      if (answer.redirected) { location.reload(); throw new Error("signed out"); }
      if (answer.status === 429) { schedulePreview(); throw new Error("later"); }
      return answer.json().then(function (json) { return { ok: answer.ok, body: json }; });
    }).then(function (answer) {
      if (mine !== asked) { return; }
      if (!answer.ok || answer.body.error) {
        problem.textContent = answer.body.error;
        problem.hidden = false;
        message.hidden = true;
        state.textContent = "The preview shows again once the words are right.";
        return;
      }
      var shown = answer.body;
      problem.hidden = true;
      message.hidden = false;
      pane.querySelector("[data-preview-subject]").textContent = shown.subject;
      pane.querySelector("[data-preview-text]").textContent = shown.text;
      var headers = pane.querySelector("[data-preview-headers]");
      headers.textContent = "";
      shown.headers.forEach(function (header) {
        var name = document.createElement("dt"), value = document.createElement("dd");
        name.textContent = header.name;
        value.textContent = header.value;
        headers.appendChild(name);
        headers.appendChild(value);
      });
      frame.src = shown.html_url;
      fitFrame();
      state.textContent = "The message as it would be sent to a sample person; nothing is stored or sent.";
    }).catch(function (error) {
      if (error.message !== "later" && error.message !== "signed out") { state.textContent = "The preview could not be updated."; }
    });
  }

  form.addEventListener("input", function (event) {
    if (event.target.name !== "test_to") { schedulePreview(); }
  });
  form.addEventListener("change", function (event) {
    if (["template", "format", "product"].indexOf(event.target.name) >= 0) { schedulePreview(); }
  });
  // The preview button shows it here, without leaving the form.
  var previewButton = form.querySelector("button[value=preview]");
  previewButton.addEventListener("click", function (event) {
    event.preventDefault();
    preview();
  });
  if (!message.hidden) { fitFrame(); }
  if (body.value || form.querySelector("#subject").value) { preview(); }
})();
