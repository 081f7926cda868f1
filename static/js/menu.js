// The phone menu: below 768 px the navigation folds behind the header's menu button (static/css/app.css, "Phone
// layout"). Without this script the navigation simply stays open.
document.addEventListener("DOMContentLoaded", () => {
  const header = document.querySelector("header.top");
  const button = header && header.querySelector(".menu-toggle");
  if (!button) return;
  header.classList.add("has-menu");
  button.addEventListener("click", () => {
    const open = header.classList.toggle("menu-open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
});
