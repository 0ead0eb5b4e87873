// The posters' "Print" button (templates/includes/qr_poster.html): CSP allows no inline script.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
