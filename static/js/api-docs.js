/* The API docs page (/api/v1/docs): start Swagger UI with the settings the page carries in a data attribute.
   Calls made from the page use the signed-in session, so unsafe ones send the CSRF token like our forms do. */
(function () {
  "use strict";
  var body = document.body;
  var config = JSON.parse(body.dataset.swaggerSettings || "{}");
  var csrf = body.dataset.csrfToken;
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
  if (csrf) {
    config.requestInterceptor = function (req) {
      req.headers["X-CSRFToken"] = csrf;
      return req;
    };
  }
  SwaggerUIBundle(config);
})();
