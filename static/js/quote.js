// Comment on a selected passage, and on the chapter page comment inline.
// Everything here is an enhancement: without JavaScript the quote field and the
// section pages do the same job.
(function () {
  "use strict";

  var CONTEXT = 32;
  var inline = document.getElementById("inline-comment");
  var button = document.querySelector("[data-quote-button]");
  var chosen = null; // {source, quote, prefix, suffix}
  var opener = null;

  function squash(text) {
    return text.replace(/\s+/g, " ");
  }

  function textBetween(source, node, offset, fromStart) {
    var range = document.createRange();
    range.selectNodeContents(source);
    if (fromStart) {
      range.setEnd(node, offset);
    } else {
      range.setStart(node, offset);
    }
    return squash(range.toString());
  }

  function sourceOf(node) {
    var element = node.nodeType === 1 ? node : node.parentElement;
    return element ? element.closest("[data-quote-source]") : null;
  }

  // A letter, digit or a character inside a word (hyphen, apostrophe).
  var WORD = /[\p{L}\p{N}\p{M}\-\u2019']/u;

  function isWordChar(character) {
    return !!character && WORD.test(character);
  }

  // Widen a quote that starts or ends inside a word to the whole word, so a hasty
  // selection ("rmålet med kan") is quoted as "formålet med kanalen".
  function wholeWords(before, quote, after) {
    while (isWordChar(before.slice(-1)) && isWordChar(quote.charAt(0))) {
      quote = before.slice(-1) + quote;
      before = before.slice(0, -1);
    }
    while (isWordChar(quote.slice(-1)) && isWordChar(after.charAt(0))) {
      quote = quote + after.charAt(0);
      after = after.slice(1);
    }
    var lead = quote.match(/^\s*/)[0];
    var trail = quote.match(/\s*$/)[0];
    return {
      before: before + lead,
      quote: quote.trim(),
      after: trail + after
    };
  }

  function readSelection() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) {
      return null;
    }
    var range = selection.getRangeAt(0);
    var source = sourceOf(range.commonAncestorContainer);
    if (!source || !squash(selection.toString()).trim()) {
      return null;
    }
    var words = wholeWords(
      textBetween(source, range.startContainer, range.startOffset, true),
      squash(range.toString()),
      textBetween(source, range.endContainer, range.endOffset, false)
    );
    return {
      source: source,
      range: range,
      quote: words.quote.slice(0, 1000),
      prefix: words.before.slice(-CONTEXT),
      suffix: words.after.slice(0, CONTEXT)
    };
  }

  // Put the button beside the end of the selection, inside the window.
  function place(data) {
    // In the DOM right after the quoted text (outside it, or its text would become
    // part of the next quote's context), so it comes next in the tab order.
    data.source.after(button);
    button.classList.add("quote-button--floating");
    button.hidden = false;
    var rects = data.range.getClientRects();
    if (!rects.length) {
      return;
    }
    var last = rects[rects.length - 1];
    var first = rects[0];
    var gap = 8;
    var width = button.offsetWidth;
    var height = button.offsetHeight;
    var top = last.bottom + gap;
    if (top + height > window.innerHeight - gap) {
      top = Math.max(gap, first.top - height - gap);
    }
    // Lined up with the start of the selection's last line, kept inside the window.
    var left = Math.max(gap, Math.min(last.left, window.innerWidth - width - gap));
    var parent = button.offsetParent || document.body;
    var origin = parent.getBoundingClientRect();
    button.style.top = (top - origin.top + parent.scrollTop) + "px";
    button.style.left = (left - origin.left + parent.scrollLeft) + "px";
  }

  // The chapter page loads the section page's own form into place on demand.
  function loadInlineForm(link) {
    var url = link.getAttribute("data-inline-comment");
    var holder = inline.querySelector("[data-inline-form]");
    var failed = inline.querySelector("[data-inline-failed]");
    link.parentElement.after(inline);
    inline.hidden = false;
    opener = link;
    if (holder.getAttribute("data-loaded-from") === url) {
      return Promise.resolve(holder.querySelector("form"));
    }
    failed.hidden = true;
    return fetch(url + "?fragment=form", {credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        holder.innerHTML = html;
        holder.setAttribute("data-loaded-from", url);
        return holder.querySelector("form");
      })
      .catch(function () {
        holder.innerHTML = "";
        failed.querySelector("[data-inline-fallback]").href = url + "#kommenter";
        failed.hidden = false;
        return null;
      });
  }

  function formFor(source) {
    if (!inline) {
      return Promise.resolve(document.querySelector(".comment-form"));
    }
    var section = source.closest("section[id]");
    var link = section && section.querySelector("[data-inline-comment]");
    return link ? loadInlineForm(link) : Promise.resolve(null);
  }

  function fill(form, data) {
    var fields = {quote: data.quote, quote_prefix: data.prefix, quote_suffix: data.suffix};
    Object.keys(fields).forEach(function (name) {
      var field = form.querySelector("[name='" + name + "']");
      if (field) {
        field.value = fields[name];
      }
    });
  }

  if (button) {
    document.addEventListener("selectionchange", function () {
      var data = readSelection();
      if (data) {
        chosen = data;
        place(data);
      }
    });
    // Keep the selection when the button is pressed with a mouse.
    button.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    button.addEventListener("click", function () {
      if (!chosen) {
        return;
      }
      var data = chosen;
      button.hidden = true;
      formFor(data.source).then(function (form) {
        if (!form) {
          return;
        }
        fill(form, data);
        form.querySelector("[name='body']").focus();
      });
    });
  }

  if (inline) {
    document.querySelectorAll("[data-inline-comment]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        loadInlineForm(link).then(function (form) {
          if (form) {
            fill(form, {quote: "", prefix: "", suffix: ""});
          }
          inline.querySelector(".inline-comment__heading").focus();
        });
      });
    });
    inline.querySelector("[data-inline-close]").addEventListener("click", function () {
      inline.hidden = true;
      if (opener) {
        opener.focus();
      }
    });
  }

  // After a failed submit, take the reader straight to what needs fixing.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
}());
