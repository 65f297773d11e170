// Outside production graphql-js pays for a cross-realm diagnostic on every failed type check
// (instanceOf), and it reads NODE_ENV once, as its modules load: so the default is set here,
// before anything is imported. A NODE_ENV given by the operator is kept.
process.env.NODE_ENV ??= 'production';
await import('./cli.js');
