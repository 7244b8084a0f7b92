/* Confirmation before a consequential action (safestar/core/confirm.py): a form with
   data-confirm="…" opens a dialog with that text; 确定 posts the form with confirmed=1, 取消 or Esc
   closes it. Without this script the server asks on a page of its own, so nothing depends on it. */
(function () {
  "use strict";

  function dialogFor(form) {
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.id = "confirm-dialog";
      dialog.className = "confirm-dialog";
      dialog.setAttribute("aria-labelledby", "confirm-dialog-title");
      dialog.innerHTML =
        '<form method="dialog">' +
        '<h2 class="h5" id="confirm-dialog-title"></h2>' +
        '<p class="confirm-text"></p>' +
        '<div class="d-flex gap-2 justify-content-end">' +
        '<button class="btn btn-outline-secondary" value="cancel" type="submit">取消</button>' +
        '<button class="btn btn-danger" value="ok" type="submit" data-testid="confirm-ok">确定</button>' +
        "</div></form>";
      document.body.appendChild(dialog);
    }
    var submitter = form.querySelector("button[type=submit], button:not([type])");
    dialog.querySelector("h2").textContent = "确认" + (form.dataset.confirmTitle || (submitter ? submitter.textContent.trim() : ""));
    dialog.querySelector(".confirm-text").textContent = form.dataset.confirm;
    return dialog;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm || form.dataset.confirmed === "1") {
      return;
    }
    if (typeof HTMLDialogElement !== "function") {
      return; // no <dialog>: the server asks on its own page
    }
    if (typeof form.reportValidity === "function" && !form.reportValidity()) {
      return;
    }
    event.preventDefault();
    var submitter = event.submitter || null;
    var dialog = dialogFor(form);
    dialog.returnValue = "";
    dialog.addEventListener("close", function onClose() {
      dialog.removeEventListener("close", onClose);
      if (dialog.returnValue !== "ok") {
        return;
      }
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "confirmed";
      input.value = "1";
      form.appendChild(input);
      form.dataset.confirmed = "1";
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit(submitter && submitter.form === form ? submitter : undefined); // keeps the button's name=value
      } else {
        form.submit();
      }
    });
    dialog.showModal();
  });
})();
