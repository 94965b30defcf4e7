// Staff pages: show the identity fields that only non-citizen registrations need.
(function () {
  function sync() {
    var select = document.getElementById("id_type");
    document.querySelectorAll("[data-unless-id-type]").forEach(function (box) {
      box.hidden = !!select && select.value === box.getAttribute("data-unless-id-type");
    });
  }
  document.addEventListener("DOMContentLoaded", sync);
  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "id_type") sync();
  });
})();

// "返回上一页" links (data-history-back): go back in history without an inline script (CSP).
document.addEventListener("click", function (event) {
  var link = event.target && event.target.closest && event.target.closest("[data-history-back]");
  if (link && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
