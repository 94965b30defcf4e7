// The API documentation page (/docs): Swagger UI started from a file, not an inline script,
// so that the page keeps the Content-Security-Policy without 'unsafe-inline' scripts; the bundle
// itself is served by the app (/docs/assets, from the fastapi-offline package).
(function () {
  var box = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: box.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    validatorUrl: null,  // no badge fetched from validator.swagger.io: /docs loads nothing third-party
    presets: [SwaggerUIBundle.presets.apis]
  });
})();
