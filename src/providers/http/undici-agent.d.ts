// The one undici file the gateway loads at run time (see upstream-agent.ts); its types are the package's.
declare module 'undici/lib/dispatcher/agent.js' {
  const Agent: typeof import('undici').Agent;
  export default Agent;
}
