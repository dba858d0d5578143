// The card step of a pledge: Stripe.js saves the card (SetupIntent) or completes a payment
// (PaymentIntent); then the form posts to our server, which asks Stripe what happened.
(function () {
  "use strict";
  var form = document.getElementById("card-form");
  if (!form || typeof Stripe === "undefined") {
    return;
  }
  var stripe = Stripe(form.dataset.key);
  var card = null;
  if (document.getElementById("card-element")) {
    card = stripe.elements().create("card");
    card.mount("#card-element");
  }
  var errors = document.getElementById("card-errors");
  var button = form.querySelector("button[type=submit]");
  var busy = false;

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) {
      return;
    }
    busy = true;
    button.disabled = true;
    errors.textContent = "";
    var secret = form.dataset.secret;
    var attempt =
      form.dataset.mode === "setup"
        ? stripe.confirmCardSetup(secret, { payment_method: { card: card } })
        : stripe.confirmCardPayment(secret);
    attempt.then(function (result) {
      if (result.error) {
        errors.textContent = (result.error && result.error.message) || form.dataset.failed;
        busy = false;
        button.disabled = false;
        return;
      }
      form.submit();
    });
  });
})();
