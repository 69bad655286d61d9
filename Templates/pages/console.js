// The Herald console's only script: it makes two pages livelier. Every page works without it (the dashboard
// then reloads itself every five seconds, and the campaign form counts its audience with a button).
(function () {
  "use strict";

  var fields = ["waiting", "sent", "deferred", "bounced", "skipped", "failed"];

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (answer) {
      // A session that ended answers with the sign-in page: let the browser go there.
      if (answer.redirected) { location.reload(); throw new Error("signed out"); }
      return answer.json().then(function (body) { return { ok: answer.ok, body: body }; });
    });
  }

  function perMinute(value) {
    return Math.round(value).toLocaleString("en") + "/min";
  }

  // The dashboard: counts, progress bars and rates, every two seconds while something is scheduled or sending.
  // A campaign that changes state (or appears) reloads the page, so its buttons are those of its new state.
  var table = document.querySelector("table[data-progress]");
  if (table && table.hasAttribute("data-live")) {
    var earlier = {};
    var poll = function () {
      getJSON("/console/progress.json").then(function (answer) {
        if (!answer.ok) { setTimeout(poll, 10000); return; }
        var active = false, changed = false;
        answer.body.forEach(function (campaign) {
          var row = table.querySelector('tr[data-campaign="' + campaign.id + '"]');
          if (!row || row.getAttribute("data-status") !== campaign.status) { changed = true; return; }
          fields.forEach(function (field) {
            var cell = row.querySelector('[data-field="' + field + '"]');
            if (cell) { cell.textContent = String(campaign[field]); }
          });
          var bar = row.querySelector("progress");
          if (bar) { bar.value = campaign.percent; bar.textContent = campaign.percent + " %"; }
          // The rate of the last two seconds, from this answer and the one before (timed here: the server's
          // times are whole seconds); the average until then.
          var at = Date.now(), before = earlier[campaign.id];
          var rate = campaign.sent_per_minute === undefined ? "–" : perMinute(campaign.sent_per_minute);
          if (before && at > before.at && campaign.status === "sending") {
            rate = perMinute((campaign.sent - before.sent) * 60000 / (at - before.at));
          }
          var rateCell = row.querySelector('[data-field="rate"]');
          if (rateCell) { rateCell.textContent = rate; }
          earlier[campaign.id] = { sent: campaign.sent, at: at };
          if (campaign.status === "sending" || campaign.status === "scheduled") { active = true; }
        });
        if (changed || answer.body.length !== table.querySelectorAll("tr[data-campaign]").length) { location.reload(); return; }
        if (active) { setTimeout(poll, 2000); }
      }).catch(function () { setTimeout(poll, 10000); });
    };
    setTimeout(poll, 2000);
  }

  // A page that follows a sending campaign without counts of its own (a campaign's report) reloads itself.
  var reloading = document.querySelector("[data-reload]");
  if (reloading) {
    setTimeout(function () { location.reload(); }, 1000 * Number(reloading.getAttribute("data-reload")));
  }

  // The campaign form: the audience counted again a moment after the kind, a product or a purpose changes.
  var form = document.querySelector("form[data-audience]");
  if (form) {
    // The send time is read in the chosen zone: start from the browser's own, until someone chooses.
    var zone = form.querySelector("#time_zone"), local = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && zone.value === "UTC" && !form.querySelector("#send_at").value && local) {
      Array.prototype.forEach.call(zone.options, function (option) { if (option.text === local) { option.selected = true; } });
    }
    var output = form.querySelector("output.audience");
    var timer = null;
    var count = function () {
      var query = new URLSearchParams();
      ["kind", "product", "purpose"].forEach(function (name) {
        form.querySelectorAll('[name="' + name + '"]').forEach(function (control) {
          if ((control.type === "checkbox" && control.checked) || (control.type !== "checkbox" && control.value)) {
            query.append(name, control.value);
          }
        });
      });
      getJSON("/console/campaigns/audience?" + query.toString()).then(function (answer) {
        // Marketing gets no exact count under the report's floor: {"audience": null, "fewer_than": 10}.
        var audience = !answer.ok ? null : answer.body.audience === null
          ? "Fewer than " + answer.body.fewer_than : answer.body.audience.toLocaleString("en");
        output.textContent = answer.ok ? audience + " people would receive it now." : answer.body.error;
      }).catch(function () { output.textContent = ""; });
    };
    form.addEventListener("change", function (event) {
      var name = event.target.name;
      if (name === "kind" || name === "product" || name === "purpose") {
        clearTimeout(timer);
        timer = setTimeout(count, 250);
      }
    });
  }
})();
