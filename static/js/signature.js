// Signature pads: draw with finger, pen or mouse on a <canvas>; the PNG goes into the hidden input on submit.
(function () {
  function setUp(pad) {
    var canvas = pad.querySelector("canvas");
    var input = pad.querySelector("input[type=hidden]");
    var context = canvas.getContext("2d");
    var drawing = false, drawn = false;
    context.lineWidth = 2.5;
    context.lineCap = "round";
    context.strokeStyle = "#111";
    // A form shown again after a validation error carries the drawing back: show it, keep it, sign on top.
    if (input.value.indexOf("data:image/png;base64,") === 0) {
      var signed = new Image();
      signed.onload = function () { context.drawImage(signed, 0, 0, canvas.width, canvas.height); drawn = true; };
      signed.src = input.value;
    }
    function point(event) {
      var box = canvas.getBoundingClientRect();
      return { x: (event.clientX - box.left) * canvas.width / box.width, y: (event.clientY - box.top) * canvas.height / box.height };
    }
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      var p = point(event);
      context.beginPath();
      context.moveTo(p.x, p.y);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      var p = point(event);
      context.lineTo(p.x, p.y);
      context.stroke();
      drawn = true;
      event.preventDefault();
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () {
        drawing = false;
        input.value = drawn ? canvas.toDataURL("image/png") : "";
      });
    });
    pad.querySelector("button[data-clear]").addEventListener("click", function () {
      context.clearRect(0, 0, canvas.width, canvas.height);
      drawn = false;
      input.value = "";
    });
  }
  function init() { document.querySelectorAll("[data-signature-pad]").forEach(setUp); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
