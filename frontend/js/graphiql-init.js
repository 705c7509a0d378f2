// Starts the vendored GraphiQL (development mode only). A separate file, not an inline script,
// so the page works under the strict Content-Security-Policy.
/* global React, ReactDOM, GraphiQL */
// The page names its endpoint (data-endpoint): the customer API, or the operator API, whose
// requests need the header Authorization: Bearer <operator key> (GraphiQL's Headers tab).
(function start() {
  const element = document.getElementById('graphiql');
  const url = element.dataset.endpoint || '/graphql';
  const operator = url === '/operator/graphql';
  const fetcher = GraphiQL.createFetcher({ url, headers: { 'X-Icok-Language': 'en' } });
  const root = ReactDOM.createRoot(element);
  root.render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultEditorToolsVisibility: true,
      defaultHeaders: operator ? '{\n  "Authorization": "Bearer icok_op_…"\n}\n' : undefined,
      defaultQuery: operator
        ? '# The ICOK operator API. Put your operator key into the Authorization header (Headers).\n{\n  apiKey { name scopes }\n}\n'
        : '# The ICOK API. Log in in the portal first (same browser) to explore `viewer`.\n{\n  apiVersion\n  serverTime\n  viewer { customerNumber session { expiresAt } }\n}\n',
    }),
  );
})();
