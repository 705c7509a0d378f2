// Starts the vendored GraphiQL (development mode only). A separate file, not an inline script,
// so the page works under the strict Content-Security-Policy.
/* global React, ReactDOM, GraphiQL */
(function start() {
  const fetcher = GraphiQL.createFetcher({ url: '/graphql', headers: { 'X-Icok-Language': 'en' } });
  const root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultEditorToolsVisibility: true,
      defaultQuery: '# The ICOK API. Log in in the portal first (same browser) to explore `viewer`.\n{\n  apiVersion\n  serverTime\n  viewer { customerNumber session { expiresAt } }\n}\n',
    }),
  );
})();
