// Starts Swagger UI on /api/docs from a file: the app's CSP refuses inline scripts.
document.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapi,
    dom_id: "#swagger-ui",
    // Deep links put a link inside each operation's button: nested controls that
    // screen readers and keyboards cannot reach apart (axe-core: nested-interactive).
    deepLinking: false,
    // The default sends the document's URL to validator.swagger.io for a badge.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
