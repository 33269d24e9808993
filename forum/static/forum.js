// Forum's only script, loaded from Forum itself so that the Content-Security-Policy can forbid
// inline scripts. Every page works without it; it adds print buttons, follows a running
// scheduler run or publication, suggests people as an organizer (or an attendee booking on the
// day) types a name and preselects the browser's time zone for a new event.
(function () {
  "use strict";

  function printButtons() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  // A progress page (a scheduler run, an import): <dl data-progress-url=…> with dd ids; a
  // figure of the JSON answer shows in the element with id "progress_" + its name.
  function followRun(panel) {
    var url = panel.getAttribute("data-progress-url");
    var limit = panel.getAttribute("data-time-limit");
    function show(id, value) {
      var element = document.getElementById(id);
      if (element) { element.textContent = value === null ? "—" : value; }
    }
    function poll() {
      fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (response) { return response.json(); })
        .then(function (run) {
          if (!run.active) { window.location.reload(); return; }
          show("best_weight", run.best_weight);
          show("bound_weight", run.bound_weight);
          show("breaks", run.breaks);
          if (limit) { show("elapsed", (run.elapsed_seconds === null ? 0 : run.elapsed_seconds) + " s / " + limit + " s"); }
          Object.keys(run).forEach(function (name) { show("progress_" + name, run[name]); });
          setTimeout(poll, 2000);
        })
        .catch(function () { setTimeout(poll, 2000); });
    }
    setTimeout(poll, 2000);
  }

  // A block that follows a background job, <div data-refresh-url=… data-active="true">: its poll
  // answers the block alone (304 while unchanged, by its ETag), swapped in; once the job is over
  // the page reloads, since more than the block changes then.
  function followBlock(block) {
    var url = block.getAttribute("data-refresh-url");
    var etag = null;
    function swap(html) {
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var fresh = holder.querySelector("[data-refresh-url]");
      if (!fresh || fresh.getAttribute("data-active") !== "true") { window.location.reload(); return false; }
      block.replaceWith(fresh);
      block = fresh;
      return true;
    }
    function poll() {
      var headers = {"Accept": "text/html"};
      if (etag) { headers["If-None-Match"] = etag; }
      fetch(url, {headers: headers, credentials: "same-origin", cache: "no-cache"})
        .then(function (response) {
          if (response.status === 304) { return null; }
          if (!response.ok) { throw new Error(String(response.status)); }
          etag = response.headers.get("ETag");
          return response.text();
        })
        .then(function (html) { if (html === null || swap(html)) { setTimeout(poll, 3000); } })
        .catch(function () { setTimeout(poll, 5000); });
    }
    setTimeout(poll, 3000);
  }

  // <select data-guess-zone>: the server guessed (no earlier event); the browser knows better
  // when its zone is one of the options.
  function guessZone(select) {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (error) { return; }
    if (zone && select.querySelector('option[value="' + zone.replace(/"/g, "") + '"]')) {
      select.value = zone;
    }
  }

  // <input data-candidates-url=… list=…>: as a name is typed, the matching participants fill the
  // input's <datalist>, each option's value their number (what the form takes).
  function suggestCandidates(input) {
    var url = input.getAttribute("data-candidates-url");
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    function fill(people) {
      list.textContent = "";
      people.forEach(function (person) {
        var option = document.createElement("option");
        option.value = String(person.id);
        option.textContent = person.label;
        option.label = person.label;
        list.appendChild(option);
      });
    }
    input.addEventListener("input", function () {
      var words = input.value.trim();
      clearTimeout(timer);
      if (words.length < 2 || /^[0-9#]+$/.test(words)) { return; }
      timer = setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(words),
              {headers: {"Accept": "application/json"}, credentials: "same-origin"})
          .then(function (response) { return response.json(); })
          .then(fill)
          .catch(function () {});
      }, 250);
    });
  }

  function start() {
    printButtons();
    document.querySelectorAll("select[data-guess-zone]").forEach(guessZone);
    document.querySelectorAll("[data-progress-url]").forEach(followRun);
    document.querySelectorAll('[data-refresh-url][data-active="true"]').forEach(followBlock);
    document.querySelectorAll("input[data-candidates-url]").forEach(suggestCandidates);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
