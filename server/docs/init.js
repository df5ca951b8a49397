// Swagger UI over the server's own openapi.yaml (the URL is on the #swagger-ui element, relative to /docs/, so the
// page works behind a path prefix too). "Try it out" calls this server: the spec's server URL is relative.
const root = document.getElementById('swagger-ui');
window.ui = SwaggerUIBundle({
  url: new URL(root.dataset.specUrl, document.baseURI).href,
  domNode: root,
  deepLinking: true,
  persistAuthorization: true,
  presets: [SwaggerUIBundle.presets.apis],
});
