// The Herald console's only script: it makes its pages livelier. Every page works without it (the dashboard
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
          // The rate is the text after the progress bar, in the same cell.
          var rateCell = row.querySelector('[data-field="rate"]');
          if (rateCell && rateCell.lastChild && rateCell.lastChild.nodeType === Node.TEXT_NODE) { rateCell.lastChild.nodeValue = " " + rate; }
          earlier[campaign.id] = { sent: campaign.sent, at: at };
          if (campaign.status === "sending" || campaign.status === "scheduled") { active = true; }
        });
        if (changed || answer.body.length !== table.querySelectorAll("tr[data-campaign]").length) { location.reload(); return; }
        if (active) { setTimeout(poll, 2000); }
      }).catch(function () { setTimeout(poll, 10000); });
    };
    setTimeout(poll, 2000);
  }

  // Times are written in UTC by the server (<time datetime>); shown here in the browser's own zone, in the same
  // shape, with the zone's short name ("2099-06-01 09:30 CEST"); the title says which zone, and the time in UTC.
  var ownZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (ownZone && ownZone !== "UTC" && ownZone !== "Etc/UTC") {
    var inZone = new Intl.DateTimeFormat("en-GB", { timeZone: ownZone, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short" });
    document.querySelectorAll("time[datetime][data-local]").forEach(function (time) {
      var date = new Date(time.getAttribute("datetime"));
      if (isNaN(date.getTime())) { return; }
      var part = {};
      inZone.formatToParts(date).forEach(function (piece) { part[piece.type] = piece.value; });
      time.title = ownZone.replace(/_/g, " ") + " time; " + time.textContent;
      time.textContent = part.year + "-" + part.month + "-" + part.day + " " + part.hour + ":" + part.minute + " " + part.timeZoneName;
    });
  }

  // The warning that nothing is sending (no worker seen for a minute while mail is due): shown or hidden as the
  // server sees it, every five seconds while something is scheduled or sending.
  var watch = document.querySelector("[data-sending-watch][data-live]");
  if (watch) {
    var look = function () {
      getJSON("/console/sending.json").then(function (answer) {
        if (answer.ok) {
          if (answer.body.stalled) { watch.textContent = answer.body.message; }
          watch.hidden = !answer.body.stalled;
        }
        setTimeout(look, answer.ok ? 5000 : 10000);
      }).catch(function () { setTimeout(look, 10000); });
    };
    setTimeout(look, 5000);
  }

  // "Back to the campaign" from a preview: back through the browser's history (as many pages as the preview
  // took), where the half-written form still is; without the script, the link opens the form afresh.
  document.querySelectorAll("a[data-back]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var steps = Number(link.getAttribute("data-back")) || 1;
      if (history.length > steps) { event.preventDefault(); history.go(-steps); }
    });
  });

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
