// The API's documentation page: Swagger UI (static/vendor/swagger-ui/) over the published OpenAPI schema.
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({ url: root.dataset.schemaUrl, dom_id: "#swagger-ui", deepLinking: true });
});
