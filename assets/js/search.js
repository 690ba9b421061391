/* The search page: a small interface on Pagefind's JavaScript API. The query and filters live
   in the address (?q=…&type=…), so a search can be shared. Everything shown is set as text:
   neither the query nor the index ever becomes markup. */
(function () {
  "use strict";
  var root = document.getElementById("search");
  if (!root) return;
  var form = root.querySelector(".search-form");
  var input = form.elements.q;
  var status = root.querySelector(".search-status");
  var list = root.querySelector(".search-results");
  var more = root.querySelector(".search-more");
  var FILTERS = ["type", "author", "interviewee", "topic", "region", "year"];
  var PAGE = 10;
  var pagefind = null, results = [], shown = 0, serial = 0, timer = 0, dates = null;
  // The index comes in parts (see sitegen/search.py): the first beside pagefind.js, the
  // others listed in sitegen-search.json, with every result's date in sitegen-dates.json.
  var folder = root.dataset.bundle.replace(/[^\/]*$/, "");
  var settings = { baseUrl: root.dataset.base, excerptLength: 30 };

  function make(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }
  function say(text, state) {
    status.textContent = text;
    status.dataset.state = state || "";
  }
  // A root-relative path of this site, or nothing: no result may lead or load elsewhere.
  function local(url) {
    return typeof url === "string" && /^\/(?!\/)/.test(url) ? url : "";
  }
  // Pagefind's excerpt is text with <mark> around the words found; keep exactly that.
  function excerpt(html) {
    var parsed = new DOMParser().parseFromString(html || "", "text/html").body;
    return Array.prototype.map.call(parsed.childNodes, function (node) {
      return node.nodeName === "MARK"
        ? make("mark", "", node.textContent)
        : document.createTextNode(node.textContent);
    });
  }

  function fill(select, counts) {
    var chosen = select.value;
    var values = Object.keys(counts).sort(function (a, b) {
      return select.name === "year" ? b - a : a.localeCompare(b);
    });
    if (chosen && values.indexOf(chosen) < 0) values.push(chosen);
    select.length = 1;
    values.forEach(function (value) {
      var label = counts[value] ? value + " (" + counts[value] + ")" : value;
      select.add(new Option(label, value, false, value === chosen));
    });
  }

  function read() {
    var params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    FILTERS.concat("sort").forEach(function (name) {
      var select = form.elements[name], value = params.get(name) || "";
      if (value && !Array.prototype.some.call(select.options, function (o) { return o.value === value; })) {
        select.add(new Option(value, value));
      }
      select.value = value;
    });
  }

  function search() {
    var id = ++serial;
    var query = input.value.trim();
    var params = new URLSearchParams();
    var options = { filters: {} };
    if (query) params.set("q", query);
    FILTERS.forEach(function (name) {
      var value = form.elements[name].value;
      if (value) { options.filters[name] = value; params.set(name, value); }
    });
    var order = form.elements.sort.value;
    if (order) params.set("sort", order);
    var address = params.toString();
    history.replaceState(null, "", address ? "?" + address : location.pathname);
    if (!pagefind) return;
    list.textContent = "";
    more.hidden = true;
    results = [];
    shown = 0;
    if (!query && !Object.keys(options.filters).length) return say("");
    say("Searching…", "busy");
    Promise.all([pagefind.search(query || null, options), order ? datesOf() : null]).then(function (both) {
      var found = both[0];
      if (id !== serial || !found) return;
      results = order ? byDate(found.results, both[1], order === "oldest" ? 1 : -1) : found.results;
      if (!results.length) {
        return say(query ? "No results for “" + query + "”." : "No results.", "empty");
      }
      return show(id);
    }, failed);
  }

  function json(name) {
    return fetch(folder + name).then(function (response) {
      if (!response.ok) throw new Error(name + ": " + response.status);
      return response.json();
    });
  }
  function datesOf() {
    dates = dates || json("sitegen-dates.json");
    return dates;
  }
  // Merged parts rank by score, and a part scores a sorted search by its own positions: so
  // the order by date is made here. Results without a date drop out, as Pagefind's sort does.
  function byDate(found, known, direction) {
    return found
      .filter(function (r) { return Object.prototype.hasOwnProperty.call(known, r.id); })
      .sort(function (a, b) { return direction * (known[a.id] - known[b.id]); });
  }

  function show(id) {
    var batch = results.slice(shown, shown + PAGE);
    return Promise.all(batch.map(function (r) { return r.data(); })).then(function (pages) {
      if (id !== serial) return;
      pages.forEach(function (page) { list.appendChild(item(page)); });
      shown += batch.length;
      var count = results.length;
      say(count + (count === 1 ? " result" : " results") +
        (input.value.trim() ? " for “" + input.value.trim() + "”" : "") + ".", "done");
      more.hidden = shown >= count;
    }, failed);
  }

  function item(page) {
    var meta = page.meta || {};
    var entry = make("li", "search-result");
    var image = local(meta.image);
    if (image) {
      var img = make("img", "search-result-image");
      img.alt = "";
      img.width = 160;
      img.height = 90;
      img.loading = "lazy";
      img.src = image;
      entry.appendChild(img);
    }
    var text = make("div", "search-result-text");
    if (meta.type) text.appendChild(make("p", "kicker", meta.type));
    var heading = make("h2", "search-result-title");
    var link = make("a", "", meta.title || page.url);
    link.href = local(page.url) || "#";
    heading.appendChild(link);
    text.appendChild(heading);
    if (meta.date) text.appendChild(make("p", "search-result-meta", meta.date));
    var summary = make("p", "search-result-excerpt");
    excerpt(page.excerpt).forEach(function (node) { summary.appendChild(node); });
    text.appendChild(summary);
    entry.appendChild(text);
    return entry;
  }

  function failed() {
    say("Search is not available right now. Try again later, or browse the archive.", "error");
  }

  read();
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    search();
  });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 250);
  });
  form.addEventListener("change", function (event) {
    if (event.target !== input) search();
  });
  more.addEventListener("click", function () { show(serial); });

  Promise.all([import(root.dataset.bundle), json("sitegen-search.json")])
    .then(function (loaded) {
      var module = loaded[0];
      return module.options(settings).then(function () {
        return Promise.all(loaded[1].parts.map(function (part) {
          return module.mergeIndex(folder + part, settings);
        }));
      }).then(function () { pagefind = module; });
    })
    .then(function () { return pagefind.filters(); })
    .then(function (all) {
      FILTERS.forEach(function (name) { fill(form.elements[name], all[name] || {}); });
      search();
    })
    .catch(failed);
})();
